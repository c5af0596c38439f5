// "Load earlier messages": pages back through the selected thread's history, and the notice that some are not shown.
//
// After a first login whose replay was complete, no thread has anything earlier to load. A replay cut by the server's bounds (the first login's, or a reconnect's that could not resume: then the
// notice shows) may have left earlier messages out of any thread. A page shorter than asked for is the thread's last.
import { $ } from './chat-dom.js';
import { insertEarlier, oldestId } from './chat-messages.js';
import { selectedThread, whenSelected } from './chat-threads.js';

/** Messages asked for per page (the server allows 1-500). */
const PAGE_SIZE = 50;

const button = $('load-earlier');
const gapNotice = $('gap-notice');
const notice = $('notice');

let session = null;
/** Whether a thread with no state of its own below may have earlier messages than those shown. */
let maybeEarlier = false;
/** thread name → whether it may have earlier messages (set by the pages loaded) */
const earlier = new Map();
let loading = false;

function mayHaveEarlier(name) {
  return earlier.get(name) ?? maybeEarlier;
}

function update() {
  button.hidden = !session || !mayHaveEarlier(selectedThread());
  button.disabled = loading;
}

/** A new session (or none, logging out): nothing is known of its history yet. */
export function startEarlier(chat) {
  session = chat;
  maybeEarlier = false;
  earlier.clear();
  loading = false;
  gapNotice.hidden = true;
  update();
}

/** A login's replay was shown: {recovered, first} from the connection. */
export function replayShown({ recovered, first }) {
  if (!recovered) {
    // The replay replaced the page: any thread may have more than it shows.
    maybeEarlier = true;
    earlier.clear();
    gapNotice.hidden = first;
  } else if (first) {
    // A complete replay since the beginning: every stored message is on the page.
    maybeEarlier = false;
    earlier.clear();
  }
  update();
}

async function loadEarlier() {
  const name = selectedThread();
  loading = true;
  update();
  try {
    const messages = await session.history(name, oldestId(name), PAGE_SIZE);
    insertEarlier(name, messages);
    earlier.set(name, messages.length === PAGE_SIZE);
    gapNotice.hidden = true;
  } catch (error) {
    notice.textContent = `Could not load earlier messages: ${error.message}`;
  } finally {
    loading = false;
    update();
  }
}

button.addEventListener('click', () => {
  if (session && !loading) {
    loadEarlier();
  }
});
whenSelected(update);
