// The messages on the page: each stored id shown once, our own pending until acked, older pages inserted above;
// changed in place when edited, gone when deleted. Our own stored messages carry the Edit and Delete buttons
// (chat-edits.js does what they do).
import { $, el, formatTime } from './chat-dom.js';
import { allThreads, counted, recount, selectedThread, thread } from './chat-threads.js';

/** Messages kept on the page per thread; the oldest leave the page beyond this (the server keeps them). */
const MAX_MESSAGES_PER_THREAD = 1000;

const logs = $('message-logs');

/** id → the <li> showing that stored message */
const byId = new Map();
/** ref → the <li> of our message waiting for its ack */
const pending = new Map();
let me = '';
let retry = () => false;

/** Who is logged in (their messages are shown as "mine"), and what the Retry button of a refused one calls. */
export function startMessages(user, onRetry) {
  me = user;
  retry = onRetry;
}

function messageItem(name, { from, message }) {
  const item = el('li', 'message');
  item.dataset.thread = name;
  if (from === me) {
    item.classList.add('mine');
  }
  const meta = el('div', 'meta');
  meta.append(el('span', 'from', from), el('time'), el('span', 'edited'), el('span', 'state'));
  item.append(meta, el('p', 'text', message));
  return item;
}

function storedItem(m) {
  const item = messageItem(m.thread, m);
  confirm(item, m.id, m.ts);
  if (m.editedTs) {
    markEdited(item, m.editedTs);
  }
  return item;
}

function markEdited(item, editedTs) {
  const mark = item.querySelector('.edited');
  mark.textContent = '(edited)';
  mark.title = `edited ${new Date(editedTs).toLocaleString()}`;
}

function confirm(item, id, ts) {
  byId.set(id, item);
  item.dataset.id = String(id);
  item.dataset.state = 'sent';
  const time = item.querySelector('time');
  time.dateTime = ts;
  time.textContent = formatTime(ts);
  time.title = new Date(ts).toLocaleString();
  item.querySelector('.state').textContent = '';
  item.querySelector('.retry')?.remove();
  if (item.classList.contains('mine') && !item.querySelector('.actions')) {
    const actions = el('div', 'actions');
    for (const [className, label] of [['edit', 'Edit'], ['delete', 'Delete']]) {
      const button = el('button', className, label);
      button.type = 'button';
      button.setAttribute('aria-label', `${label} your message`);
      actions.append(button);
    }
    item.append(actions);
  }
}

function forget(item) {
  if (item.dataset.id) {
    byId.delete(Number(item.dataset.id));
  }
  item.remove();
}

function append(name, item) {
  const t = thread(name);
  const wasNearEnd = logs.scrollHeight - logs.scrollTop - logs.clientHeight < 80;
  t.log.append(item);
  counted(t, item);
  if (t.log.childElementCount > MAX_MESSAGES_PER_THREAD) {
    while (t.log.childElementCount > MAX_MESSAGES_PER_THREAD) {
      forget(t.log.firstElementChild);
    }
    recount(t);
  }
  if (name === selectedThread() && (wasNearEnd || item.classList.contains('mine'))) {
    item.scrollIntoView({ block: 'end' });
  }
}

/** A stored message, live or replayed: added at the end of its thread, unless its id is shown already. */
export function received(m) {
  if (!byId.has(m.id)) {
    append(m.thread, storedItem(m));
  }
}

/**
 * A replay that replaces what the page shows (the server could not resume): every stored message leaves the page, the
 * replay takes its place; our messages not stored yet (pending, refused) stay, after it.
 */
export function replaceWith(messages) {
  for (const t of allThreads()) {
    for (const item of [...t.log.children]) {
      if (item.dataset.id) {
        forget(item);
      }
    }
  }
  for (const m of messages) {
    if (!byId.has(m.id)) {
      const t = thread(m.thread);
      t.log.insertBefore(storedItem(m), [...t.log.children].find((i) => !i.dataset.id) ?? null);
    }
  }
  for (const t of allThreads()) {
    recount(t);
  }
  thread(selectedThread()).log.lastElementChild?.scrollIntoView({ block: 'end' });
}

/**
 * An older page of <name>'s history, oldest first: each message not shown yet goes in its place by id, above the ones
 * shown, without moving what the reader sees. Answers how many were added.
 */
export function insertEarlier(name, messages) {
  const t = thread(name);
  const heightBefore = logs.scrollHeight;
  let added = 0;
  for (const m of messages) {
    if (m.thread !== name || byId.has(m.id)) {
      continue;
    }
    const later = [...t.log.children].find((i) => !i.dataset.id || Number(i.dataset.id) > m.id) ?? null;
    t.log.insertBefore(storedItem(m), later);
    added++;
  }
  recount(t);
  logs.scrollTop += logs.scrollHeight - heightBefore;
  return added;
}

/** A message changed (by us or, on another page, by its author): its new text, marked "(edited)", where it is. */
export function edited(m) {
  const item = byId.get(m.id);
  if (!item) {
    return;
  }
  item.querySelector('.text').textContent = m.message;
  markEdited(item, m.editedTs ?? new Date().toISOString());
}

/** A message deleted (by us or someone else): it leaves the page. */
export function deleted(id) {
  const item = byId.get(id);
  if (!item) {
    return;
  }
  forget(item);
  recount(thread(item.dataset.thread));
}

/** The stored message shown as <item> (an <li> of a log): {id, thread, text}, or null for one not stored. */
export function shownAs(item) {
  const id = Number(item.dataset.id);
  return byId.get(id) === item ? { id, thread: item.dataset.thread, text: item.querySelector('.text').textContent } : null;
}

/** The lowest id shown in <name>, or null when it shows no stored message. */
export function oldestId(name) {
  const first = [...thread(name).log.children].find((i) => i.dataset.id);
  return first ? Number(first.dataset.id) : null;
}

/** Our message just sent with <ref>: shown at once, pending until its ack. */
export function sending(ref, name, text) {
  const item = messageItem(name, { from: me, message: text });
  item.dataset.state = 'pending';
  item.querySelector('.state').textContent = 'sending…';
  pending.set(ref, item);
  append(name, item);
}

/** The ack of our message <ref>: it is stored as <id>. A copy of it shown meanwhile (another tab's view) leaves. */
export function acked(ref, id, ts) {
  const item = pending.get(ref);
  if (!item) {
    return;
  }
  pending.delete(ref);
  const copy = byId.get(id);
  if (copy && copy !== item) {
    forget(copy);
  }
  confirm(item, id, ts);
}

/** The server refused our message <ref>; false when it is not one waiting for its answer. */
export function refused(ref, reason) {
  const item = pending.get(ref);
  if (!item) {
    return false;
  }
  pending.delete(ref);
  item.dataset.state = 'failed';
  item.querySelector('.state').textContent = `not sent: ${reason}`;
  if (!item.querySelector('.retry')) {
    const button = el('button', 'retry', 'Retry');
    button.type = 'button';
    button.addEventListener('click', () => {
      if (retry(item.dataset.thread, item.querySelector('.text').textContent)) {
        item.remove();
      }
    });
    item.append(button);
  }
  return true;
}

/** The connection dropped: our pending messages wait for it (they are sent again, with their refs, after the login). */
export function connectionLost() {
  for (const item of pending.values()) {
    item.querySelector('.state').textContent = 'waiting for the connection…';
  }
}

/** The connection is back: our pending messages are being sent again. */
export function connectionBack() {
  for (const item of pending.values()) {
    item.querySelector('.state').textContent = 'sending…';
  }
}

/** Forgets every message (logging out). */
export function clearMessages() {
  byId.clear();
  pending.clear();
}
