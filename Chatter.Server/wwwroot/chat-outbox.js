// Our chat frames the server has not answered yet, kept to be sent again, with the same ref, after a reconnect.
//
// A frame whose ack a drop lost may or may not be stored. Sent again with its ref (same thread, same text), the server
// answers a stored one with its original ack (same id and ts) and stores and broadcasts it no second time; it stores one
// that never arrived. So a resend never posts twice. The replay before the resend may already hold the stored one:
// such own messages are held back until the resends are answered, and dropped when an ack names their id, so the page
// shows the message once, where it was sent.

/** Frames waiting for their answer at most; send() refuses more (the server answers each at once when it can). */
const UNANSWERED_MAX = 500;

export class Outbox {
  /** ref → {thread, message}, in the order first sent. */
  #unanswered = new Map();
  /** Refs resent after the last login and not answered since. */
  #resent = new Set();
  /** Own messages of the last replay that an ack of a resend may name. */
  #held = [];

  /** False when too many frames wait for their answer. */
  get hasRoom() {
    return this.#unanswered.size < UNANSWERED_MAX;
  }

  /** Records a chat frame sent with its ref. */
  sent(ref, thread, message) {
    this.#unanswered.set(ref, { thread, message });
  }

  /**
   * After a login's replay: holds back each own message (from <me>) that may be one of the frames about to be resent
   * (same thread and text); answers the others, to be shown now.
   */
  sortReplay(messages, me) {
    const candidates = [...this.#unanswered.values()];
    const shown = [];
    for (const m of messages) {
      const i = m.from === me ? candidates.findIndex((c) => c.thread === m.thread && c.message === m.message) : -1;
      if (i >= 0) {
        candidates.splice(i, 1);
        this.#held.push(m);
      } else {
        shown.push(m);
      }
    }
    return shown;
  }

  /** The frames to send again, oldest first; from now on they count as resent. */
  resends() {
    this.#resent = new Set(this.#unanswered.keys());
    return [...this.#unanswered].map(([ref, { thread, message }]) => ({ thread, message, ref }));
  }

  /**
   * The server answered ref: with the stored id (an ack) or none (an error). Answers the held messages to show now:
   * those no ack named, once every resend is answered.
   */
  answered(ref, id) {
    this.#unanswered.delete(ref);
    this.#resent.delete(ref);
    if (id !== undefined) {
      this.#held = this.#held.filter((m) => m.id !== id);
    }
    return this.#resent.size === 0 ? this.#release() : [];
  }

  /** The connection dropped: answers the held messages, to be shown (an ack after the next login still finds them). */
  dropped() {
    this.#resent.clear();
    return this.#release();
  }

  /** Forgets everything (the session ended). */
  clear() {
    this.#unanswered.clear();
    this.#resent.clear();
    this.#held = [];
  }

  #release() {
    const held = this.#held;
    this.#held = [];
    return held;
  }
}
