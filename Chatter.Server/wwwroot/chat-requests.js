// Frames the page sends with a ref and waits for one answer to: history pages, edits, deletes. Each is a promise,
// settled by the frame that carries its ref (its answer, or {"error", "ref"}), or failed when the connection drops.

export class Requests {
  /** ref → {read, resolve, reject} */
  #pending = new Map();
  #max;
  #full;

  /** At most <max> unanswered at once; more are refused with <full> (the server answers each at once when it can). */
  constructor(max, full) {
    this.#max = max;
    this.#full = full;
  }

  /**
   * Sends a frame with <ref> through <send>, and resolves with <read>(answer) once the answer with that ref arrives
   * (an answer <read> finds nothing in, undefined, counts as unexpected).
   */
  ask(ref, frame, read, send) {
    if (this.#pending.size >= this.#max) {
      return Promise.reject(new Error(this.#full));
    }
    return new Promise((resolve, reject) => {
      this.#pending.set(ref, { read, resolve, reject });
      send({ ...frame, ref });
    });
  }

  /** Settles the request <frame> answers; false when its ref is not one of ours. */
  answer(frame) {
    const request = this.#pending.get(frame.ref);
    if (!request) {
      return false;
    }
    this.#pending.delete(frame.ref);
    if (typeof frame.error === 'string') {
      request.reject(new Error(frame.error));
      return true;
    }
    const value = request.read(frame);
    if (value === undefined) {
      request.reject(new Error('unexpected answer from the server'));
    } else {
      request.resolve(value);
    }
    return true;
  }

  /** Fails every request waiting (the connection dropped, or the session ended). */
  failAll(reason) {
    for (const request of this.#pending.values()) {
      request.reject(new Error(reason));
    }
    this.#pending.clear();
  }
}
