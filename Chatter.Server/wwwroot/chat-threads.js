// The thread lists and the one message log shown: each thread has its own <ol> log, only the selected one visible.
// Public threads are listed under "Threads", direct messages (threads named "@user") under "Direct messages", by the
// other's name. Each thread shows how many messages from others it holds above the user's read marker.
import { $, el } from './chat-dom.js';

export const DEFAULT_THREAD = 'general';

const list = $('thread-list');
const directList = $('dm-list');
const logs = $('message-logs');
const title = $('thread-title');

/** thread name → { name, log: <ol>, button, unread } */
const threads = new Map();
/** thread name → the user's read marker (the highest id read), for threads shown or not */
const markers = new Map();
const selectedListeners = [];
let selected = DEFAULT_THREAD;

/** True for a direct message thread ("@bob": the conversation with bob). */
export function isDirect(name) {
  return name.length > 1 && name.startsWith('@');
}

/** The thread shown. */
export function selectedThread() {
  return selected;
}

/** Every thread on the page, in the order added. */
export function allThreads() {
  return threads.values();
}

/** Calls <listener(name)> each time a thread is selected. */
export function whenSelected(listener) {
  selectedListeners.push(listener);
}

/** The thread named <name>, added to its list (and given an empty log) the first time. */
export function thread(name) {
  let t = threads.get(name);
  if (t) {
    return t;
  }
  const direct = isDirect(name);
  const log = el('ol', 'messages');
  log.dataset.thread = name;
  log.setAttribute('role', 'log');
  log.setAttribute('aria-label', direct ? `Direct messages with ${name.slice(1)}` : `Messages in ${name}`);
  log.tabIndex = 0;
  log.hidden = true;
  logs.append(log);

  const item = el('li');
  const button = el('button', 'thread');
  button.type = 'button';
  button.dataset.thread = name;
  button.append(el('span', 'thread-name', direct ? name.slice(1) : name), el('span', 'unread'));
  button.addEventListener('click', () => select(name));
  item.append(button);
  (direct ? directList : list).append(item);

  t = { name, log, button, unread: 0 };
  threads.set(name, t);
  return t;
}

/** Shows <name>'s log (added when new) and scrolls to its newest message. */
export function select(name) {
  selected = name;
  const shown = thread(name);
  for (const t of threads.values()) {
    const current = t === shown;
    t.log.hidden = !current;
    t.button.setAttribute('aria-current', current ? 'true' : 'false');
  }
  title.textContent = name;
  shown.log.lastElementChild?.scrollIntoView({ block: 'end' });
  selectedListeners.forEach((listener) => listener(name));
}

/** The user's read marker of <name>: every message up to this id is read (0: none). */
export function markerOf(name) {
  return markers.get(name) ?? 0;
}

/** Moves <name>'s read marker up to <id> (never back) and counts again; false when it did not move. */
export function moveMarker(name, id) {
  if (id <= markerOf(name)) {
    return false;
  }
  markers.set(name, id);
  const t = threads.get(name);
  if (t) {
    recount(t);
  }
  return true;
}

/** The highest id of a stored message shown in <name>, or 0. */
export function newestId(name) {
  let newest = 0;
  for (const item of threads.get(name)?.log.children ?? []) {
    newest = Math.max(newest, Number(item.dataset.id ?? 0));
  }
  return newest;
}

/** True when <item> counts as unread in <name>: a stored message from someone else above the read marker. */
function isUnread(name, item) {
  return !!item.dataset.id && !item.classList.contains('mine') && Number(item.dataset.id) > markerOf(name);
}

/** <item> was just added to <t>'s log: counted when unread. */
export function counted(t, item) {
  if (isUnread(t.name, item)) {
    t.unread++;
    showUnread(t);
  }
}

/** Counts <t>'s unread messages again (after messages left it, or its marker moved). */
export function recount(t) {
  t.unread = [...t.log.children].filter((item) => isUnread(t.name, item)).length;
  showUnread(t);
}

function showUnread(t) {
  t.button.querySelector('.unread').textContent = t.unread > 0 ? `${t.unread} unread` : '';
}

/** Removes every thread and marker (logging out). */
export function clearThreads() {
  threads.clear();
  markers.clear();
  selected = DEFAULT_THREAD;
  list.replaceChildren();
  directList.replaceChildren();
  logs.replaceChildren();
}
