// The thread list and the one message log shown: each thread has its own <ol> log, only the selected one visible.
import { $, el } from './chat-dom.js';

export const DEFAULT_THREAD = 'general';

const list = $('thread-list');
const logs = $('message-logs');
const title = $('thread-title');

/** thread name → { name, log: <ol>, button, unread } */
const threads = new Map();
const selectedListeners = [];
let selected = DEFAULT_THREAD;

/** The thread shown. */
export function selectedThread() {
  return selected;
}

/** Every thread on the page, in the list's order. */
export function allThreads() {
  return threads.values();
}

/** Calls <listener(name)> each time a thread is selected. */
export function whenSelected(listener) {
  selectedListeners.push(listener);
}

/** The thread named <name>, added to the list (and given an empty log) the first time. */
export function thread(name) {
  let t = threads.get(name);
  if (t) {
    return t;
  }
  const log = el('ol', 'messages');
  log.dataset.thread = name;
  log.setAttribute('role', 'log');
  log.setAttribute('aria-label', `Messages in ${name}`);
  log.tabIndex = 0;
  log.hidden = true;
  logs.append(log);

  const item = el('li');
  const button = el('button', 'thread');
  button.type = 'button';
  button.dataset.thread = name;
  button.append(el('span', 'thread-name', name), el('span', 'unread'));
  button.addEventListener('click', () => select(name));
  item.append(button);
  list.append(item);

  t = { name, log, button, unread: 0 };
  threads.set(name, t);
  return t;
}

/** Shows <name>'s log (added when new), marks it read and scrolls to its newest message. */
export function select(name) {
  selected = name;
  const shown = thread(name);
  for (const t of threads.values()) {
    const current = t === shown;
    t.log.hidden = !current;
    t.button.setAttribute('aria-current', current ? 'true' : 'false');
  }
  markRead(shown);
  title.textContent = name;
  shown.log.lastElementChild?.scrollIntoView({ block: 'end' });
  selectedListeners.forEach((listener) => listener(name));
}

/** Counts one more unread message in <t> (a thread not shown). */
export function countUnread(t) {
  t.unread++;
  showUnread(t);
}

/** Sets <t>'s unread count back to none. */
export function markRead(t) {
  t.unread = 0;
  showUnread(t);
}

function showUnread(t) {
  t.button.querySelector('.unread').textContent = t.unread > 0 ? `${t.unread} unread` : '';
}

/** Removes every thread (logging out). */
export function clearThreads() {
  threads.clear();
  selected = DEFAULT_THREAD;
  list.replaceChildren();
  logs.replaceChildren();
}
