// The chat page: login form, threads, messages, send box. Every piece of message data reaches the page
// through textContent, never as HTML.
import { openChat } from './chat-connection.js';

const DEFAULT_THREAD = 'general';
/** Messages kept on the page per thread; the oldest leave the page beyond this (the server keeps them). */
const MAX_MESSAGES_PER_THREAD = 1000;
const $ = (id) => document.getElementById(id);

const ui = {
  status: $('status'),
  whoami: $('whoami'),
  logout: $('logout'),
  loginView: $('login-view'),
  loginForm: $('login-form'),
  username: $('username'),
  password: $('password'),
  loginError: $('login-error'),
  chatView: $('chat-view'),
  threadList: $('thread-list'),
  newThreadForm: $('new-thread-form'),
  newThread: $('new-thread'),
  threadTitle: $('thread-title'),
  notice: $('notice'),
  logs: $('message-logs'),
  sendForm: $('send-form'),
  message: $('message'),
  send: $('send'),
};

let session = null;
let me = '';
let selected = DEFAULT_THREAD;
/** thread name → { log: <ol>, button, unread } */
const threads = new Map();
/** ref → the <li> of our message waiting for its ack */
const pending = new Map();
/** our messages whose ack the connection lost: the replay after the reconnect may still confirm them */
const unconfirmed = new Set();

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) {
    node.className = className;
  }
  if (text !== undefined) {
    node.textContent = text;
  }
  return node;
}

function formatTime(ts) {
  const date = new Date(ts);
  const sameDay = date.toDateString() === new Date().toDateString();
  return sameDay
    ? date.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' })
    : date.toLocaleString(undefined, { dateStyle: 'short', timeStyle: 'short' });
}

// ---- threads ----

function thread(name) {
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
  ui.logs.append(log);

  const item = el('li');
  const button = el('button', 'thread');
  button.type = 'button';
  button.dataset.thread = name;
  button.append(el('span', 'thread-name', name), el('span', 'unread'));
  button.addEventListener('click', () => select(name));
  item.append(button);
  ui.threadList.append(item);

  t = { log, button, unread: 0 };
  threads.set(name, t);
  return t;
}

function select(name) {
  selected = name;
  for (const [threadName, t] of threads) {
    const current = threadName === name;
    t.log.hidden = !current;
    t.button.setAttribute('aria-current', current ? 'true' : 'false');
  }
  const t = thread(name);
  t.log.hidden = false;
  t.button.setAttribute('aria-current', 'true');
  t.unread = 0;
  showUnread(t);
  ui.threadTitle.textContent = name;
  t.log.lastElementChild?.scrollIntoView({ block: 'end' });
}

function showUnread(t) {
  const badge = t.button.querySelector('.unread');
  badge.textContent = t.unread > 0 ? `${t.unread} unread` : '';
}

// ---- messages ----

function messageItem({ from, message, mine }) {
  const item = el('li', 'message');
  if (mine) {
    item.classList.add('mine');
  }
  const meta = el('div', 'meta');
  meta.append(el('span', 'from', from), el('time'), el('span', 'state'));
  item.append(meta, el('p', 'text', message));
  return item;
}

function confirm(item, id, ts) {
  item.dataset.id = String(id);
  item.dataset.state = 'sent';
  const time = item.querySelector('time');
  time.dateTime = ts;
  time.textContent = formatTime(ts);
  time.title = new Date(ts).toLocaleString();
  item.querySelector('.state').textContent = '';
  item.querySelector('.retry')?.remove();
}

function append(name, item) {
  const t = thread(name);
  const wasNearEnd = ui.logs.scrollHeight - ui.logs.scrollTop - ui.logs.clientHeight < 80;
  t.log.append(item);
  while (t.log.childElementCount > MAX_MESSAGES_PER_THREAD) {
    unconfirmed.delete(t.log.firstElementChild);
    t.log.firstElementChild.remove();
  }
  if (name === selected) {
    if (wasNearEnd || item.classList.contains('mine')) {
      item.scrollIntoView({ block: 'end' });
    }
  } else {
    t.unread++;
    showUnread(t);
  }
}

function received(m) {
  if (m.from === me) {
    // Ours, sent from another tab, or one whose ack a dropped connection lost: the replay confirms it.
    for (const item of unconfirmed) {
      if (item.dataset.thread === m.thread && item.querySelector('.text').textContent === m.message) {
        unconfirmed.delete(item);
        confirm(item, m.id, m.ts);
        return;
      }
    }
  }
  const item = messageItem({ from: m.from, message: m.message, mine: m.from === me });
  item.dataset.thread = m.thread;
  confirm(item, m.id, m.ts);
  append(m.thread, item);
}

function sendMessage(name, text) {
  const ref = session?.send(name, text);
  if (!ref) {
    ui.notice.textContent = 'Offline: the message was not sent.';
    return false;
  }
  ui.notice.textContent = '';
  const item = messageItem({ from: me, message: text, mine: true });
  item.dataset.thread = name;
  item.dataset.state = 'pending';
  item.querySelector('.state').textContent = 'sending…';
  pending.set(ref, item);
  append(name, item);
  return true;
}

function fail(item, text) {
  item.dataset.state = 'failed';
  item.querySelector('.state').textContent = text;
  if (!item.querySelector('.retry')) {
    const retry = el('button', 'retry', 'Retry');
    retry.type = 'button';
    retry.addEventListener('click', () => {
      if (sendMessage(item.dataset.thread, item.querySelector('.text').textContent)) {
        unconfirmed.delete(item);
        item.remove();
      }
    });
    item.append(retry);
  }
}

// ---- connection ----

function setStatus(state, text) {
  ui.status.dataset.state = state;
  ui.status.textContent = text;
  ui.send.disabled = state !== 'online';
}

function showChat() {
  ui.loginView.hidden = true;
  ui.chatView.hidden = false;
  ui.logout.hidden = false;
  ui.whoami.hidden = false;
  ui.whoami.textContent = `Logged in as ${me}`;
  select(selected);
  ui.message.focus();
}

function showLogin(error) {
  session = null;
  ui.chatView.hidden = true;
  ui.logout.hidden = true;
  ui.whoami.hidden = true;
  ui.loginView.hidden = false;
  ui.loginError.textContent = error ?? '';
  setStatus('offline', 'Offline');
  threads.clear();
  pending.clear();
  unconfirmed.clear();
  ui.threadList.replaceChildren();
  ui.logs.replaceChildren();
  ui.notice.textContent = '';
  (error ? ui.password : ui.username).focus();
}

function start(username, password) {
  me = username;
  selected = DEFAULT_THREAD;
  const protocol = location.protocol === 'https:' ? 'wss:' : 'ws:';
  let shown = false;
  session = openChat({
    url: `${protocol}//${location.host}/ws/chat`,
    username,
    password,
    on: {
      state(state, detail) {
        if (state === 'online') {
          setStatus('online', 'Online');
          ui.notice.textContent = '';
          if (!shown) {
            shown = true;
            thread(DEFAULT_THREAD);
            showChat();
          }
        } else if (state === 'connecting') {
          setStatus('connecting', 'Connecting…');
        } else {
          setStatus('offline', `Offline: reconnecting in ${Math.ceil(detail.retryInMs / 1000)} s`);
        }
      },
      message: received,
      ack(ref, id, ts) {
        const item = pending.get(ref);
        if (item) {
          pending.delete(ref);
          confirm(item, id, ts);
        }
      },
      failed(ref, reason) {
        const item = pending.get(ref);
        if (item) {
          pending.delete(ref);
          fail(item, `not sent: ${reason}`);
          // Also in the alert region, so a screen reader announces it.
          ui.notice.textContent = `Not sent: ${reason}`;
        } else {
          ui.notice.textContent = reason;
        }
      },
      notice(reason) {
        ui.notice.textContent = reason;
      },
      lost() {
        for (const item of pending.values()) {
          // Maybe stored, maybe not: the replay after the reconnect confirms it if it was.
          fail(item, 'not confirmed: connection lost');
          unconfirmed.add(item);
        }
        pending.clear();
      },
      refused(reason) {
        showLogin(reason);
      },
    },
  });
}

// ---- forms and keys ----

ui.loginForm.addEventListener('submit', (event) => {
  event.preventDefault();
  const username = ui.username.value.trim();
  const password = ui.password.value;
  // The password leaves the form now: it lives on only in the session's closure (for reconnects).
  ui.password.value = '';
  ui.loginError.textContent = '';
  session?.close();
  start(username, password);
});

ui.logout.addEventListener('click', () => {
  session?.close();
  showLogin();
});

ui.newThreadForm.addEventListener('submit', (event) => {
  event.preventDefault();
  const name = ui.newThread.value.trim();
  if (name) {
    ui.newThread.value = '';
    select(name);
    ui.message.focus();
  }
});

ui.sendForm.addEventListener('submit', (event) => {
  event.preventDefault();
  const text = ui.message.value;
  if (text.trim() && sendMessage(selected, text)) {
    ui.message.value = '';
  }
});

ui.message.addEventListener('keydown', (event) => {
  if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
    event.preventDefault();
    ui.sendForm.requestSubmit();
  }
});

setStatus('offline', 'Offline');
