// Small DOM helpers of the page. Every piece of message data reaches the page through textContent, never as HTML.

export const $ = (id) => document.getElementById(id);

/** A new element with an optional class and text (set as textContent). */
export function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) {
    node.className = className;
  }
  if (text !== undefined) {
    node.textContent = text;
  }
  return node;
}

/** A message's time as the reader's local time: hours and minutes today, with the date before today. */
export function formatTime(ts) {
  const date = new Date(ts);
  const sameDay = date.toDateString() === new Date().toDateString();
  return sameDay
    ? date.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' })
    : date.toLocaleString(undefined, { dateStyle: 'short', timeStyle: 'short' });
}
