// The raw /ws/chat protocol, as a browser speaks it. This module knows frames, not the page.
//
//   → {"username","password"} (+ "since": <highest id seen − SINCE_OVERLAP> on a reconnect)
//   ← {"auth": "ok"}, then the history oldest first: {"thread","message","from","sender","id","ts"}
//   → {"thread","message","ref"}   ← {"ack":ref,"id","ts"} or {"error":reason,"ref":ref}
//   ← live messages of the others (never our own: the page shows those itself, pending until acked)
//   ← {"error":reason} at login (e.g. "invalid credentials"), then the server closes the socket.

/** First reconnect delay in milliseconds; each further attempt doubles it, up to RECONNECT_MAX_MS. */
const RECONNECT_BASE_MS = 500;
/** Longest wait between reconnect attempts, in milliseconds. */
const RECONNECT_MAX_MS = 10_000;
/**
 * How far below the highest id seen a reconnect's "since" starts. Live messages of different senders may arrive out
 * of id order (our own ack for id 10 before someone's id 9), so a drop can lose an id below the highest one seen; the
 * overlap replays those few again and the ids already shown are dropped.
 */
const SINCE_OVERLAP = 50;
/** Message ids remembered for de-duplication (far more than SINCE_OVERLAP); the oldest are forgotten beyond this. */
const SEEN_IDS_MAX = 5_000;

/**
 * Opens a chat session: logs in, and keeps logging in again with "since" after every drop.
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
 *   message(m)             a stored message {thread, message, from, id, ts}, each id once
 *   ack(ref, id, ts)       our message with this ref is stored
 *   failed(ref, reason)    our message with this ref was refused
 *   notice(reason)         an error frame that names no message
 *   lost()                 the connection dropped: messages not acked yet may or may not be stored
 *   refused(reason)        the login was refused; the session has ended
 */
export function openChat({ url, username, password, on }) {
  let secret = password;
  let socket = null;
  let authenticated = false;
  let everOnline = false;
  let closed = false;
  let attempt = 0;
  let retryTimer = 0;
  let lastId = 0; // the highest message id seen
  let refCounter = 0;
  const seen = new Set();
  const emit = (name, ...args) => on[name]?.(...args);

  function connect() {
    emit('state', 'connecting');
    authenticated = false;
    const ws = new WebSocket(url);
    socket = ws;
    ws.addEventListener('open', () => {
      const login = { username, password: secret };
      if (lastId > SINCE_OVERLAP) {
        login.since = lastId - SINCE_OVERLAP;
      }
      ws.send(JSON.stringify(login));
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

    if (!authenticated) {
      if (frame.auth === 'ok') {
        authenticated = true;
        everOnline = true;
        attempt = 0;
        emit('state', 'online');
      } else if (typeof frame.error === 'string') {
        loginRefused(ws, frame.error);
      }
      return;
    }

    if ('ack' in frame) {
      remember(frame.id);
      emit('ack', frame.ack, frame.id, frame.ts);
    } else if (typeof frame.error === 'string') {
      if (typeof frame.ref === 'string') {
        emit('failed', frame.ref, frame.error);
      } else {
        emit('notice', frame.error);
      }
    } else if (typeof frame.id === 'number' && typeof frame.thread === 'string' && typeof frame.message === 'string') {
      if (seen.has(frame.id)) {
        return;
      }
      remember(frame.id);
      emit('message', { thread: frame.thread, message: frame.message, from: frame.from ?? frame.sender, id: frame.id, ts: frame.ts });
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
    if (closed) {
      return;
    }
    if (authenticated) {
      emit('lost');
    }
    authenticated = false;
    const ceiling = Math.min(RECONNECT_MAX_MS, RECONNECT_BASE_MS * 2 ** attempt);
    // Half fixed, half random: many pages dropped at once do not all come back in the same instant.
    const retryInMs = Math.round(ceiling / 2 + Math.random() * ceiling / 2);
    attempt++;
    emit('state', 'offline', { retryInMs, reason });
    retryTimer = setTimeout(connect, retryInMs);
  }

  function remember(id) {
    if (typeof id !== 'number') {
      return;
    }
    lastId = Math.max(lastId, id);
    seen.add(id);
    if (seen.size > SEEN_IDS_MAX) {
      // A Set iterates in insertion order: the first is the longest-held id.
      seen.delete(seen.values().next().value);
    }
  }

  /** Sends a message; its ref, or null when not online (nothing was sent). */
  function send(thread, message) {
    if (!authenticated || socket?.readyState !== WebSocket.OPEN) {
      return null;
    }
    const ref = `c${++refCounter}`;
    socket.send(JSON.stringify({ thread, message, ref }));
    return ref;
  }

  /** Ends the session for good and forgets the password. */
  function close() {
    closed = true;
    secret = null;
    clearTimeout(retryTimer);
    socket?.close(1000, 'bye');
    socket = null;
  }

  connect();
  return { send, close, get online() { return authenticated; } };
}
