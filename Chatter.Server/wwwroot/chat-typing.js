// "alice is typing…": typing in the message box tells the others at most once a second per thread; their notices show
// under the thread they are for while it is shown, until TYPING_SHOWN_MS pass without another one or their message
// arrives. Our own notices (from another device of ours) never show.
import { $ } from './chat-dom.js';
import { selectedThread, whenSelected } from './chat-threads.js';

/** Shortest time between two typing notices we send for one thread, in milliseconds (the server drops more). */
const TYPING_SEND_INTERVAL_MS = 1000;
/** How long someone shows as typing after their last notice, in milliseconds. */
const TYPING_SHOWN_MS = 3000;
/** Threads and people per thread shown as typing at most; notices beyond them are not shown. */
const TYPING_THREADS_MAX = 64;
const TYPISTS_PER_THREAD_MAX = 16;

const indicator = $('typing');
const input = $('message');

let session = null;
let me = '';
/** thread → when we last told the others we type there (performance.now()) */
const lastSent = new Map();
/** thread → (user → the timer that ends their "is typing") */
const typists = new Map();

/** A new session (or none, logging out): nobody is typing. */
export function startTyping(chat, user) {
  session = chat;
  me = user;
  lastSent.clear();
  for (const users of typists.values()) {
    users.forEach((timer) => clearTimeout(timer));
  }
  typists.clear();
  render();
}

/** {"typing": thread, "user"}: <user> shows as typing in <name> for the next TYPING_SHOWN_MS. */
export function typingNotice(name, user) {
  if (user === me) {
    return;
  }
  let users = typists.get(name);
  if (!users) {
    if (typists.size >= TYPING_THREADS_MAX) {
      return;
    }
    users = new Map();
    typists.set(name, users);
  }
  if (!users.has(user) && users.size >= TYPISTS_PER_THREAD_MAX) {
    return;
  }
  clearTimeout(users.get(user));
  users.set(user, setTimeout(() => stopped(name, user), TYPING_SHOWN_MS));
  render();
}

/** A message arrived: its sender is no longer typing in its thread. */
export function messageArrived(m) {
  if (typists.get(m.thread)?.has(m.from)) {
    stopped(m.thread, m.from);
  }
}

function stopped(name, user) {
  const users = typists.get(name);
  if (!users) {
    return;
  }
  clearTimeout(users.get(user));
  users.delete(user);
  if (users.size === 0) {
    typists.delete(name);
  }
  render();
}

function render() {
  const users = [...(typists.get(selectedThread())?.keys() ?? [])];
  indicator.textContent = users.length === 0 ? ''
    : users.length === 1 ? `${users[0]} is typing…`
    : users.length === 2 ? `${users[0]} and ${users[1]} are typing…`
    : `${users[0]}, ${users[1]} and ${users.length - 2} more are typing…`;
}

input.addEventListener('input', () => {
  if (!session || !input.value.trim()) {
    return;
  }
  const name = selectedThread();
  const now = performance.now();
  if (now - (lastSent.get(name) ?? -Infinity) < TYPING_SEND_INTERVAL_MS) {
    return;
  }
  if (lastSent.size >= TYPING_THREADS_MAX) {
    lastSent.clear();
  }
  if (session.typing(name)) {
    lastSent.set(name, now);
  }
});
whenSelected(render);
