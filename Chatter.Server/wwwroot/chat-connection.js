// The raw /ws/chat protocol, version 2, as a browser speaks it. This module knows frames, not the page.
//
//   → {"username","password","v":2} (+ "since": <last upTo>, "epoch": <its epoch> once the server gave them)
//   ← {"auth": "ok"}, the replay oldest first: {"thread","message","from","sender","id","ts"}, then the recovery answer
//     {"recovered": true|false, "upTo", "epoch"} (false: messages after "since" were left out; the replay is a new
//     client's)
//   ← while live: messages of the others (never our own: the page shows those itself, pending until acked), and
//     {"upTo": N} checkpoints: every message with an id at or below N was sent
//   → {"thread","message","ref"}   ← {"ack":ref,"id","ts"} or {"error":reason,"ref":ref}; unanswered frames are sent
//     again with the same ref after a reconnect (chat-outbox.js)
//   → {"history":{"thread","before","limit"},"ref"}   ← {"ref","history":[...]} oldest first, or {"error","ref"}
//   ← {"error":reason} at login (e.g. "invalid credentials"), then the server closes the socket.
//   → {"read":{"thread","id"}}   ← {"reads":{thread: id, …}} after the recovery answer, {"read":{…}} from our other
//     devices
//   → {"typing":thread}   ← {"typing":thread,"user"} (from everyone else's connections and our own other ones)
//   → {"edit":id,"message","ref"} / {"delete":id,"ref"}   ← {"ref","edited":{message, "editedTs"}} /
//     {"ref","deleted":id,"thread"} or {"error","ref"}; others' changes as {"edited":{…}} and {"deleted":id,"thread"}
// Direct messages are threads named "@user" (each side sees the other's name): nothing here tells them apart.
import { isMessage, notify, toMessage } from './chat-frames.js';
import { Outbox } from './chat-outbox.js';
import { Requests } from './chat-requests.js';
import { ResumePoint } from './chat-resume.js';

/** First reconnect delay in milliseconds; each further attempt doubles it, up to RECONNECT_MAX_MS. */
const RECONNECT_BASE_MS = 500;
/** Longest wait between reconnect attempts, in milliseconds. */
const RECONNECT_MAX_MS = 10_000;
/** Replayed messages kept until the recovery answer at most (the server's ReplayMaxTotal is far lower). */
const REPLAY_MAX = 10_000;
/** History pages asked for and not answered yet, at most. */
const HISTORY_REQUESTS_MAX = 4;
/** Edits and deletes sent and not answered yet, at most. */
const CHANGE_REQUESTS_MAX = 16;

/** A random tag for this page's refs: a ref of a session before a reload never reads as one of this session's. */
function randomTag() {
  return Array.from(crypto.getRandomValues(new Uint8Array(6)), (b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * Opens a chat session: logs in, and keeps logging in again, resuming where the server last said, after every drop.
 *
 * The password lives only in this closure for the session's reconnects: never in storage, a cookie or the URL.
 * close() forgets it.
 *
 * @param {object} options
 * @param {string} options.url           ws:// or wss:// address of /ws/chat
 * @param {string} options.username
 * @param {string} options.password
 * @param {object} options.on            callbacks, all optional:
 *   state(state, detail)   "connecting" | "online" | "offline" (detail: {retryInMs, reason})
 *   replay(messages, info) a login's replay, after "online": info {recovered, first}. recovered: the messages not
 *                          seen yet, each id once; not recovered: the whole replay, which replaces what is shown
 *   message(m)             a live message {thread, message, from, id, ts}, each id once
 *   ack(ref, id, ts)       our message with this ref is stored
 *   failed(ref, reason)    our message with this ref was refused
 *   notice(reason)         an error frame that names no message
 *   lost()                 the connection dropped: messages not acked yet are sent again after the next login
 *   refused(reason)        the login was refused; the session has ended
 *   reads(markers)         every read marker of ours {thread: id}, after each login's replay
 *   read(thread, id)       another device of ours read <thread> up to <id>
 *   typing(thread, user)   <user> is typing in <thread> (may be ourselves, on another device)
 *   edited(m)              someone changed message m.id: m as a message, with its editedTs
 *   deleted(id, thread)    someone deleted message <id>
 */
export function openChat({ url, username, password, on }) {
  let secret = password;
  let socket = null;
  /** "login" (until {"auth":"ok"}), "replay" (until the recovery answer), "live"; null while no socket is open. */
  let phase = null;
  let everOnline = false;
  let closed = false;
  let attempt = 0;
  let retryTimer = 0;
  let replay = [];
  let refCounter = 0;
  const tag = randomTag();
  const resume = new ResumePoint();
  const outbox = new Outbox();
  const historyRequests = new Requests(HISTORY_REQUESTS_MAX, 'too many history requests at once');
  const changeRequests = new Requests(CHANGE_REQUESTS_MAX, 'too many changes waiting for the server');
  const emit = (name, ...args) => on[name]?.(...args);

  function connect() {
    emit('state', 'connecting');
    phase = 'login';
    const ws = new WebSocket(url);
    socket = ws;
    ws.addEventListener('open', () => {
      ws.send(JSON.stringify({ username, password: secret, v: 2, ...resume.loginFields() }));
    });
    ws.addEventListener('message', (event) => {
      if (ws === socket) {
        receive(ws, event.data);
      }
    });
    ws.addEventListener('close', (event) => {
      if (ws === socket) {
        dropped(event.reason || `closed (${event.code})`);
      }
    });
  }

  function receive(ws, text) {
    let frame;
    try {
      frame = JSON.parse(text);
    } catch {
      emit('notice', 'the server sent a frame that is not JSON');
      return;
    }
    if (frame === null || typeof frame !== 'object') {
      return;
    }

    if (phase === 'login') {
      if (frame.auth === 'ok') {
        phase = 'replay';
        everOnline = true;
        replay = [];
      } else if (typeof frame.error === 'string') {
        loginRefused(ws, frame.error);
      }
    } else if (phase === 'replay' && isMessage(frame)) {
      if (replay.length < REPLAY_MAX) {
        replay.push(toMessage(frame));
      }
    } else if (phase === 'replay' && typeof frame.recovered === 'boolean') {
      recovered(ws, frame);
    } else if ('ack' in frame) {
      resume.remember(frame.id);
      const release = outbox.answered(frame.ack, frame.id);
      emit('ack', frame.ack, frame.id, frame.ts);
      release.forEach((m) => emit('message', m));
    } else if (typeof frame.ref === 'string' && (historyRequests.answer(frame) || changeRequests.answer(frame))) {
      // An answer to a request of ours, settled.
    } else if (typeof frame.error === 'string') {
      refusedFrame(frame.ref, frame.error);
    } else if (isMessage(frame)) {
      if (resume.isNew(frame.id)) {
        resume.remember(frame.id);
        emit('message', toMessage(frame));
      }
    } else if (typeof frame.upTo === 'number') {
      resume.advance(frame.upTo);
    } else {
      notify(frame, emit);
    }
  }

  /** The recovery answer: shows the replay (what is new in it, or all of it when not recovered), resends, goes live. */
  function recovered(ws, answer) {
    const first = resume.epoch === null;
    // Checked before the answer moves upTo past the replayed ids (and forgets them).
    const fresh = answer.recovered ? replay.filter((m) => resume.isNew(m.id)) : replay;
    replay = [];
    resume.answered(answer);
    phase = 'live';
    attempt = 0;
    emit('state', 'online');
    emit('replay', outbox.sortReplay(fresh, username), { recovered: answer.recovered, first });
    for (const frame of outbox.resends()) {
      ws.send(JSON.stringify(frame));
    }
  }

  function refusedFrame(ref, reason) {
    if (typeof ref === 'string') {
      const release = outbox.answered(ref);
      emit('failed', ref, reason);
      release.forEach((m) => emit('message', m));
    } else {
      emit('notice', reason);
    }
  }

  function loginRefused(ws, reason) {
    // Wrong credentials will not become right by retrying: end the session. Anything else (too many attempts,
    // too many connections) may pass, so a session that was already in keeps trying with backoff.
    if (reason === 'invalid credentials' || !everOnline) {
      close();
      emit('refused', reason);
    } else {
      emit('notice', reason);
      ws.close();
    }
  }

  function dropped(reason) {
    socket = null;
    const wasLive = phase === 'live';
    phase = null;
    replay = [];
    failRequests('connection lost');
    if (closed) {
      return;
    }
    outbox.dropped().forEach((m) => emit('message', m));
    if (wasLive) {
      emit('lost');
    }
    const ceiling = Math.min(RECONNECT_MAX_MS, RECONNECT_BASE_MS * 2 ** attempt);
    // Half fixed, half random: many pages dropped at once do not all come back in the same instant.
    const retryInMs = Math.round(ceiling / 2 + Math.random() * ceiling / 2);
    attempt++;
    emit('state', 'offline', { retryInMs, reason });
    retryTimer = setTimeout(connect, retryInMs);
  }

  function failRequests(reason) {
    historyRequests.failAll(reason);
    changeRequests.failAll(reason);
  }

  function isLive() {
    return phase === 'live' && socket?.readyState === WebSocket.OPEN;
  }

  /** Sends a message; its ref, or null when not online or too many wait for their answer (nothing was sent). */
  function send(thread, message) {
    if (!isLive() || !outbox.hasRoom) {
      return null;
    }
    const ref = `${tag}-${++refCounter}`;
    outbox.sent(ref, thread, message);
    socket.send(JSON.stringify({ thread, message, ref }));
    return ref;
  }

  /**
   * Asks for a page of history: the newest <limit> messages of <thread> (null: all threads) with an id below <before>
   * (null: the newest). Resolves to the messages, oldest first; rejects with the server's reason, or when offline.
   */
  function history(thread, before, limit) {
    const query = before === null ? { thread, limit } : { thread, before, limit };
    return ask(historyRequests, 'h', { history: query },
      (answer) => Array.isArray(answer.history) ? answer.history.filter(isMessage).map(toMessage) : undefined);
  }

  /** Changes the text of our message <id>. Resolves to the message as changed (with editedTs); rejects with the reason. */
  function edit(id, message) {
    return ask(changeRequests, 'e', { edit: id, message },
      (answer) => isMessage(answer.edited ?? {}) ? toMessage(answer.edited) : undefined);
  }

  /** Deletes our message <id>. Resolves to {id, thread}; rejects with the server's reason. */
  function remove(id) {
    return ask(changeRequests, 'd', { delete: id },
      (answer) => typeof answer.deleted === 'number' ? { id: answer.deleted, thread: answer.thread } : undefined);
  }

  function ask(requests, prefix, frame, read) {
    if (!isLive()) {
      return Promise.reject(new Error('offline'));
    }
    return requests.ask(`${prefix}-${tag}-${++refCounter}`, frame, read, (f) => socket.send(JSON.stringify(f)));
  }

  /** Sends a frame that needs no answer (a read marker, a typing notice); false when not online. */
  function tell(frame) {
    if (!isLive()) {
      return false;
    }
    socket.send(JSON.stringify(frame));
    return true;
  }

  /** Tells our other devices (through the server) that we read <thread> up to <id>. */
  const read = (thread, id) => tell({ read: { thread, id } });

  /** Tells the others we are typing in <thread>; the caller sends it at most once a second. */
  const typing = (thread) => tell({ typing: thread });

  /** Ends the session for good and forgets the password. */
  function close() {
    closed = true;
    secret = null;
    clearTimeout(retryTimer);
    outbox.clear();
    failRequests('closed');
    socket?.close(1000, 'bye');
    socket = null;
  }

  connect();
  return { send, history, edit, remove, read, typing, close, get online() { return phase === 'live'; } };
}
