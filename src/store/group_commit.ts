/**
 * Group commit: writes are queued and committed together, one transaction per batch. A batch is
 * flushed right after the current event-loop turn (`setImmediate`: every write queued while the
 * loop was busy joins it), or after `delayMs` when that is set, or at once when it reaches
 * `maxBatch`. (`setTimeout(fn, 0)` measured about 2 ms here, `setImmediate` about 5 µs.)
 *
 * Fail-stop: once a batch fails to commit, every later write is refused. The writer's in-memory
 * state already includes the failed batch, so committing anything after it could store a state
 * that disagrees with the committed history; stopping keeps the database consistent, and a
 * restart reloads it. Every
 * write of a batch shares one promise that settles when the batch's transaction has committed
 * (or failed), so there is one promise per batch, not per write.
 *
 * @module
 */

import { clearImmediate, setImmediate } from "node:timers";

/** Options of a group committer. */
export interface GroupCommitOptions<T> {
  /** Called when a batch opens (its first write), before `commit` is called for it. */
  onOpen?: () => void;
  /** Commits a whole batch in one transaction; throws if it did not commit. */
  commit: (batch: T[]) => void | Promise<void>;
  /** Largest batch; reaching it flushes at once. */
  maxBatch: number;
  /** Delay after a batch's first write before it is flushed, in ms (0 = after this loop turn). */
  delayMs: number;
  /**
   * Refuse every write after a failed commit (default true). A store that answers each write's
   * committed state (PostgreSQL) turns it off: a failed batch is refused alone and the next one
   * tries again.
   */
  failStop?: boolean;
}

interface Batch<T> {
  items: T[];
  promise: Promise<void>;
  resolve: () => void;
  reject: (error: unknown) => void;
}

/** Queues writes and commits them in batches. */
export class GroupCommitter<T> {
  readonly #options: GroupCommitOptions<T>;
  #current: Batch<T> | null = null;
  #timer: ReturnType<typeof setTimeout> | ReturnType<typeof setImmediate> | undefined;
  readonly #onTimer = () => {
    this.#timer = undefined;
    this.#flush();
  };
  /** The chain of batches being committed, so they commit in order. */
  #inFlight: Promise<void> = Promise.resolve();
  #closed = false;
  #failure: Error | null = null;

  /** Creates an idle committer. */
  constructor(options: GroupCommitOptions<T>) {
    this.#options = options;
  }

  /** Queues one write; resolves once its batch has committed. */
  enqueue(item: T): Promise<void> {
    if (this.#closed) return Promise.reject(new Error("The store is closed"));
    if (this.#failure !== null) return Promise.reject(this.#failure);
    let batch = this.#current;
    if (batch === null) {
      batch = this.#newBatch();
      this.#current = batch;
      this.#options.onOpen?.();
      const delay = this.#options.delayMs;
      this.#timer = delay > 0 ? setTimeout(this.#onTimer, delay) : setImmediate(this.#onTimer);
    }
    batch.items.push(item);
    if (batch.items.length >= this.#options.maxBatch) this.#flush();
    return batch.promise;
  }

  /** Commits whatever is queued now; resolves when everything queued so far has committed. */
  flush(): Promise<void> {
    this.#flush();
    return this.#inFlight;
  }

  /** Refuses further writes and commits the queued ones. */
  async close(): Promise<void> {
    this.#closed = true;
    await this.flush();
  }

  /** The error that stopped the committer, or null while it works. */
  get failure(): Error | null {
    return this.#failure;
  }

  #newBatch(): Batch<T> {
    let resolve!: () => void;
    let reject!: (error: unknown) => void;
    const promise = new Promise<void>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    // Nobody may be awaiting a batch's promise yet when it fails; avoid an unhandled rejection
    // here, callers of enqueue() still see the rejection.
    promise.catch(() => {});
    return { items: [], promise, resolve, reject };
  }

  #flush(): void {
    const batch = this.#current;
    if (batch === null) return;
    this.#current = null;
    const timer = this.#timer;
    if (timer !== undefined) {
      this.#timer = undefined;
      if (this.#options.delayMs > 0) clearTimeout(timer as ReturnType<typeof setTimeout>);
      else clearImmediate(timer as ReturnType<typeof setImmediate>);
    }
    this.#inFlight = this.#inFlight.then(async () => {
      if (this.#failure !== null) {
        batch.reject(this.#failure);
        return;
      }
      try {
        await this.#options.commit(batch.items);
        batch.resolve();
      } catch (error) {
        batch.reject(error);
        if (this.#options.failStop === false) return;
        const message = error instanceof Error ? error.message : String(error);
        this.#failure = new Error(`The store stopped after a failed commit: ${message}`, {
          cause: error,
        });
      }
    });
  }
}
