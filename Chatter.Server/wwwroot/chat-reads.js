// Read markers: the thread shown is read up to its newest message, and the server hears of it (it tells our other
// devices, and gives every marker back at the next login), so each device counts the same unread messages.
//
// A marker is sent only when it moves forward, and only once the login's markers are known: before that, "forward"
// means nothing. While the page is hidden (another tab on top, a minimised window) nothing counts as read.
import { markerOf, moveMarker, newestId, selectedThread, whenSelected } from './chat-threads.js';

let session = null;
/** Whether the server gave this session's markers yet ({"reads"} after a login's replay). */
let known = false;

/** A new session (or none, logging out): its markers are not known until the server sends them. */
export function startReads(chat) {
  session = chat;
  known = false;
}

/** Every marker of ours {thread: id} (at each login): counts follow them, and the thread shown is read now. */
export function markersArrived(markers) {
  for (const [name, id] of Object.entries(markers)) {
    moveMarker(name, id);
  }
  known = true;
  seen(selectedThread());
}

/** Another device of ours read <name> up to <id>: our count of it follows. */
export function readElsewhere(name, id) {
  moveMarker(name, id);
}

/** Something new may show in <name>: when it is the thread shown, it is read up to its newest message. */
export function seen(name) {
  if (!session || !known || name !== selectedThread() || document.visibilityState === 'hidden') {
    return;
  }
  const id = newestId(name);
  if (id > markerOf(name) && session.read(name, id)) {
    moveMarker(name, id);
  }
}

whenSelected(seen);
document.addEventListener('visibilitychange', () => seen(selectedThread()));
