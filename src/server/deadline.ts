/**
 * Many concurrent deadlines of one duration on one timer. Every request body is read under
 * `--body-timeout`; a `setTimeout` and a `Promise.race` per body cost about 2.5 µs of a
 * POST /orders with a JSON body (measured in-process, `bench/order_cpu.ts`). Deadlines of one
 * duration expire in the order they were set, so a FIFO queue and one timer armed for its oldest
 * live entry serve them all; the timer is cleared whenever no deadline is live, so none outlives
 * the waits it guards.
 *
 * @module
 */

interface Entry {
  at: number;
  live: boolean;
  expire: () => void;
}

/** A deadline as set: `clear()` it when the guarded wait finished in time. */
export interface Deadline {
  clear(): void;
}

/** Deadlines of `ms` milliseconds each, sharing one timer. */
export class DeadlineQueue {
  readonly #ms: number;
  #queue: Entry[] = [];
  #head = 0;
  #live = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;

  constructor(ms: number) {
    this.#ms = ms;
  }

  /** Calls `expire` once `ms` milliseconds from now have passed, unless cleared before. */
  set(expire: () => void): Deadline {
    const entry: Entry = { at: performance.now() + this.#ms, live: true, expire };
    this.#queue.push(entry);
    this.#live++;
    if (this.#timer === undefined) this.#arm(this.#ms);
    return {
      clear: () => {
        if (!entry.live) return;
        entry.live = false;
        if (--this.#live === 0) this.#reset();
      },
    };
  }

  #arm(delay: number): void {
    this.#timer = setTimeout(() => this.#fire(), Math.max(0, delay));
  }

  #reset(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#queue = [];
    this.#head = 0;
  }

  #fire(): void {
    this.#timer = undefined;
    const now = performance.now();
    const q = this.#queue;
    while (this.#head < q.length) {
      const e = q[this.#head];
      if (e.live && e.at > now) break;
      this.#head++;
      if (!e.live) continue;
      e.live = false;
      this.#live--;
      e.expire();
    }
    if (this.#live === 0) {
      this.#reset();
      return;
    }
    if (this.#head > 1024 && this.#head * 2 > q.length) {
      this.#queue = q.slice(this.#head);
      this.#head = 0;
    }
    this.#arm(this.#queue[this.#head].at - now);
  }
}

const queues = new Map<number, DeadlineQueue>();

/** The shared queue of deadlines of `ms` milliseconds. */
export function deadlines(ms: number): DeadlineQueue {
  let q = queues.get(ms);
  if (q === undefined) queues.set(ms, q = new DeadlineQueue(ms));
  return q;
}
