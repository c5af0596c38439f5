// The chat page: login form, session state, the forms and keys. The threads (chat-threads.js), the messages
// (chat-messages.js), the earlier pages (chat-earlier.js), read markers (chat-reads.js), typing (chat-typing.js) and
// edits (chat-edits.js) each keep their own part of the page.
import { openChat } from './chat-connection.js';
import { $ } from './chat-dom.js';
import { replayShown, startEarlier } from './chat-earlier.js';
import { startEdits } from './chat-edits.js';
import * as messages from './chat-messages.js';
import { markersArrived, readElsewhere, seen, startReads } from './chat-reads.js';
import { DEFAULT_THREAD, clearThreads, select, selectedThread, thread } from './chat-threads.js';
import { messageArrived, startTyping, typingNotice } from './chat-typing.js';

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
  newThreadForm: $('new-thread-form'),
  newThread: $('new-thread'),
  newDirectForm: $('new-dm-form'),
  newDirect: $('new-dm'),
  notice: $('notice'),
  sendForm: $('send-form'),
  message: $('message'),
  send: $('send'),
};

let session = null;
let me = '';

function sendMessage(name, text) {
  const ref = session?.send(name, text);
  if (!ref) {
    ui.notice.textContent = 'Offline: the message was not sent.';
    return false;
  }
  ui.notice.textContent = '';
  messages.sending(ref, name, text);
  return true;
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
  select(selectedThread());
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
  clearThreads();
  messages.clearMessages();
  startSession(null, '');
  ui.notice.textContent = '';
  (error ? ui.password : ui.username).focus();
}

/** Hands a new session (or none) to every part of the page that talks to the server. */
function startSession(chat, user) {
  startEarlier(chat);
  startReads(chat);
  startTyping(chat, user);
  startEdits(chat);
}

/** A stored message from someone else (or our own from another device), live. */
function received(m) {
  messages.received(m);
  messageArrived(m);
  seen(m.thread);
}

function start(username, password) {
  me = username;
  clearThreads();
  messages.clearMessages();
  messages.startMessages(username, sendMessage);
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
          messages.connectionBack();
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
      replay(replayed, info) {
        if (info.recovered) {
          replayed.forEach(messages.received);
        } else {
          messages.replaceWith(replayed);
        }
        replayShown(info);
        seen(selectedThread());
      },
      message: received,
      ack: messages.acked,
      failed(ref, reason) {
        // Also in the alert region, so a screen reader announces it.
        ui.notice.textContent = messages.refused(ref, reason) ? `Not sent: ${reason}` : reason;
      },
      notice(reason) {
        ui.notice.textContent = reason;
      },
      lost: messages.connectionLost,
      refused(reason) {
        showLogin(reason);
      },
      reads: markersArrived,
      read: readElsewhere,
      typing: typingNotice,
      edited: messages.edited,
      deleted: messages.deleted,
    },
  });
  startSession(session, username);
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

ui.newDirectForm.addEventListener('submit', (event) => {
  event.preventDefault();
  const user = ui.newDirect.value.trim().replace(/^@/, '');
  if (user) {
    ui.newDirect.value = '';
    select(`@${user}`);
    ui.message.focus();
  }
});

ui.sendForm.addEventListener('submit', (event) => {
  event.preventDefault();
  const text = ui.message.value;
  if (text.trim() && sendMessage(selectedThread(), text)) {
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
