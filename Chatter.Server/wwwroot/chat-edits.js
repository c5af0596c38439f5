// Edit and Delete on our own stored messages (chat-messages.js puts the buttons there). Edit opens the text in a box
// in place: Enter or Save sends it, Escape or Cancel leaves it as it was. The page changes only on the server's answer;
// a refusal ("not yours", "not found", a rule of new messages) is shown as it came.
import { $, el } from './chat-dom.js';
import { deleted, edited, shownAs } from './chat-messages.js';

const logs = $('message-logs');
const notice = $('notice');

let session = null;

/** A new session (or none, logging out). */
export function startEdits(chat) {
  session = chat;
}

function busy(item, text) {
  item.querySelector('.state').textContent = text;
  item.querySelectorAll('.actions button, .editor button').forEach((button) => { button.disabled = text !== ''; });
}

function closeEditor(item) {
  item.querySelector('.editor')?.remove();
  item.querySelector('.text').hidden = false;
  item.querySelector('.actions').hidden = false;
}

function openEditor(item) {
  const shown = shownAs(item);
  if (!shown || item.querySelector('.editor')) {
    return;
  }
  const form = el('form', 'editor');
  const box = el('textarea');
  box.value = shown.text;
  box.rows = 2;
  box.maxLength = 4000;
  box.setAttribute('aria-label', 'New text');
  const save = el('button', 'save', 'Save');
  save.type = 'submit';
  const cancel = el('button', 'cancel', 'Cancel');
  cancel.type = 'button';
  const row = el('div', 'row');
  row.append(save, cancel);
  form.append(box, row);

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    saveEdit(item, box.value);
  });
  cancel.addEventListener('click', () => closeEditor(item));
  box.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      form.requestSubmit();
    } else if (event.key === 'Escape') {
      closeEditor(item);
    }
  });

  item.querySelector('.text').hidden = true;
  item.querySelector('.actions').hidden = true;
  item.querySelector('.text').after(form);
  box.focus();
}

async function saveEdit(item, text) {
  const shown = shownAs(item);
  if (!shown || text === shown.text) {
    closeEditor(item);
    return;
  }
  busy(item, 'saving…');
  try {
    edited(await session.edit(shown.id, text));
    notice.textContent = '';
    closeEditor(item);
  } catch (error) {
    notice.textContent = `Not edited: ${error.message}`;
  } finally {
    busy(item, '');
  }
}

async function remove(item) {
  const shown = shownAs(item);
  if (!shown) {
    return;
  }
  busy(item, 'deleting…');
  try {
    const answer = await session.remove(shown.id);
    notice.textContent = '';
    deleted(answer.id);
  } catch (error) {
    notice.textContent = `Not deleted: ${error.message}`;
    busy(item, '');
  }
}

logs.addEventListener('click', (event) => {
  const button = event.target.closest('.actions button');
  const item = button?.closest('li.message');
  if (!session || !item) {
    return;
  }
  if (button.classList.contains('edit')) {
    openEditor(item);
  } else if (button.classList.contains('delete')) {
    remove(item);
  }
});
