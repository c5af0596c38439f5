// Where a reconnect resumes (protocol v2): the last "upTo" and "epoch" the server gave, and the ids seen above upTo.
//
// upTo comes from the recovery answer after each login's replay and from the {"upTo": N} checkpoints while live:
// every message with an id at or below it was sent to this connection. Live ids of different senders may arrive out
// of id order, so ids above upTo may have been seen while a lower one is still on its way; a resume from upTo replays
// those again, and the ids kept here drop them, so no message is shown twice and none is lost.

/** Ids kept above upTo. Checkpoints come at most a second apart, so this is far more than one second's messages. */
const SEEN_ABOVE_MAX = 5_000;

export class ResumePoint {
  /** The last upTo of the epoch below; 0 before the first recovery answer. */
  upTo = 0;
  /** The store's epoch from the last recovery answer; null before the first one. */
  epoch = null;
  #seen = new Set();

  /** The login frame's resume fields: none before the first recovery answer (a new client's replay). */
  loginFields() {
    return this.epoch === null ? {} : { since: this.upTo, epoch: this.epoch };
  }

  /** The recovery answer {recovered, upTo, epoch}; when not recovered the ids kept mean nothing any more. */
  answered({ recovered, upTo, epoch }) {
    if (!recovered) {
      this.#seen.clear();
    }
    this.epoch = epoch;
    this.advance(upTo);
  }

  /** A checkpoint {"upTo": N}, or the upTo of a recovery answer. */
  advance(upTo) {
    this.upTo = upTo;
    for (const id of this.#seen) {
      if (id <= upTo) {
        this.#seen.delete(id);
      }
    }
  }

  /** False for an id above upTo already seen; ids at or below it are not kept (a resume never replays them). */
  isNew(id) {
    return !this.#seen.has(id);
  }

  /** Remembers a message id (received or acked) until a checkpoint covers it. */
  remember(id) {
    if (typeof id !== 'number' || id <= this.upTo) {
      return;
    }
    this.#seen.add(id);
    if (this.#seen.size > SEEN_ABOVE_MAX) {
      // A Set iterates in insertion order: the first is the longest-held id.
      this.#seen.delete(this.#seen.values().next().value);
    }
  }
}
