// The shapes of the frames the server sends: stored messages, and the notices that name no request of ours (read
// markers, typing, others' edits and deletes). Anything else is ignored, as the protocol's unknown fields are.

/** True for a stored message {thread, message, id, …}. */
export function isMessage(frame) {
  return typeof frame.id === 'number' && typeof frame.thread === 'string' && typeof frame.message === 'string';
}

/** A stored message as the page keeps it; editedTs only when it was changed. */
export function toMessage(frame) {
  const m = { thread: frame.thread, message: frame.message, from: frame.from ?? frame.sender, id: frame.id, ts: frame.ts };
  if (typeof frame.editedTs === 'string') {
    m.editedTs = frame.editedTs;
  }
  return m;
}

const isObject = (value) => value !== null && typeof value === 'object' && !Array.isArray(value);

/** Read markers {thread: id} with every entry that is not a thread name and a positive id left out. */
function toMarkers(reads) {
  return Object.fromEntries(Object.entries(reads).filter(([, id]) => Number.isInteger(id) && id > 0));
}

/** Passes a notice frame on to <emit>(name, ...args) (see openChat's callbacks); false when it is none of them. */
export function notify(frame, emit) {
  if (isObject(frame.reads)) {
    emit('reads', toMarkers(frame.reads));
  } else if (isObject(frame.read) && typeof frame.read.thread === 'string' && Number.isInteger(frame.read.id)) {
    emit('read', frame.read.thread, frame.read.id);
  } else if (typeof frame.typing === 'string' && typeof frame.user === 'string') {
    emit('typing', frame.typing, frame.user);
  } else if (isObject(frame.edited) && isMessage(frame.edited)) {
    emit('edited', toMessage(frame.edited));
  } else if (typeof frame.deleted === 'number' && typeof frame.thread === 'string') {
    emit('deleted', frame.deleted, frame.thread);
  } else {
    return false;
  }
  return true;
}
