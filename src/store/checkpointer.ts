/**
 * Runs the store's WAL checkpoints on a Deno Worker (`checkpoint_worker.ts`), off the event loop.
 *
 * The store's connections run with `wal_autocheckpoint=0`: otherwise the commit that crosses the
 * WAL threshold runs the checkpoint itself, copying pages and fsyncing on the event loop (10–15
 * ms, measured as event-loop lag and POST /orders tail latency). This does not change
 * durability: commits still reach the WAL the same way before they are acknowledged; only the
 * copying of WAL pages into the database file moves to another thread.
 *
 * If the worker cannot start or dies, `onUnavailable` is called once (the store then turns
 * automatic checkpoints back on, so the WAL stays bounded either way).
 *
 * @module
 */

import type {
  CheckpointMessage,
  CheckpointReport,
  CheckpointRequest,
  CheckpointStart,
} from "./checkpoint_protocol.ts";

/** Options of a checkpointer. */
export interface CheckpointerOptions {
  /** The database file. */
  path: string;
  /** Period of the passive checkpoints, in ms (default 250). */
  intervalMs?: number;
  /** WAL size (seen by a passive checkpoint) above which a RESTART one follows (default 128 MiB). */
  restartBytes?: number;
  /** The database page size in bytes (turns `restartBytes` into frames). */
  pageSize: number;
  /** How long a RESTART or TRUNCATE checkpoint retries while the database is busy (default 1000 ms). */
  retryMs?: number;
  /** Called once if the worker fails to start or dies; it is terminated already. */
  onUnavailable?: (error: Error) => void;
}

/** Counters of the checkpoints the worker ran. */
export interface CheckpointStats {
  /** Passive checkpoints run. */
  passive: number;
  /** RESTART checkpoints run (the WAL had grown past `restartBytes`). */
  restart: number;
  /** TRUNCATE checkpoints run (after the writes stopped, and the final one on close). */
  truncate: number;
  /** Checkpoints that reported busy (did not finish). */
  busy: number;
  /** Errors reported by the worker. */
  failures: number;
  /** The last error reported by the worker, or null. */
  lastError: string | null;
  /** Most WAL frames seen by a checkpoint. */
  maxLogFrames: number;
  /** Longest checkpoint, in ms (on the worker's thread). */
  maxMs: number;
}

/** Upper bound for the worker's final checkpoint on close. */
const CLOSE_TIMEOUT_MS = 10_000;

/** A running checkpoint worker. */
export class Checkpointer {
  readonly #worker: Worker;
  readonly #onUnavailable: (error: Error) => void;
  readonly #stats: CheckpointStats = {
    passive: 0,
    restart: 0,
    truncate: 0,
    busy: 0,
    failures: 0,
    lastError: null,
    maxLogFrames: 0,
    maxMs: 0,
  };
  #alive = true;
  #closing: Promise<void> | null = null;
  #onClosed: (() => void) | null = null;
  readonly #waiters = new Map<number, (report: CheckpointReport) => void>();
  #nextId = 1;

  /** Starts the worker; checkpoints begin once it has opened the database. */
  constructor(options: CheckpointerOptions) {
    this.#onUnavailable = options.onUnavailable ?? (() => {});
    this.#worker = new Worker(new URL("./checkpoint_worker.ts", import.meta.url).href, {
      type: "module",
    });
    this.#worker.onmessage = (event: MessageEvent<CheckpointMessage>) => this.#receive(event.data);
    this.#worker.onerror = (event: ErrorEvent) => {
      event.preventDefault();
      this.#die(new Error(`The checkpoint worker failed: ${event.message}`));
    };
    this.#worker.onmessageerror = () => {
      this.#die(new Error("The checkpoint worker sent an unreadable message"));
    };
    const pageSize = Math.max(512, options.pageSize);
    const start: CheckpointStart = {
      type: "start",
      path: options.path,
      intervalMs: Math.max(1, options.intervalMs ?? 250),
      restartFrames: Math.max(1, Math.ceil((options.restartBytes ?? 128 * 2 ** 20) / pageSize)),
      retryMs: options.retryMs ?? 1000,
    };
    this.#worker.postMessage(start);
  }

  /** Whether the worker is running (false after a failure or close). */
  get alive(): boolean {
    return this.#alive;
  }

  /** A copy of the counters. */
  get stats(): CheckpointStats {
    return { ...this.#stats };
  }

  /**
   * Runs one round now (passive, then RESTART or TRUNCATE as on the timer); resolves with the
   * passive checkpoint's report (`busy: 1, log: -1` if the worker stopped first).
   */
  checkpoint(): Promise<CheckpointReport> {
    if (!this.#alive) return Promise.reject(new Error("The checkpoint worker is not running"));
    return new Promise((resolve) => {
      const request: CheckpointRequest = { type: "checkpoint", id: this.#nextId++ };
      this.#waiters.set(request.id, resolve);
      this.#worker.postMessage(request);
    });
  }

  /**
   * Runs a final TRUNCATE checkpoint (call it after the store's own connections are closed, so
   * it finds no writer and the worker's connection is the last one) and terminates the worker.
   */
  close(): Promise<void> {
    if (this.#closing !== null) return this.#closing;
    if (!this.#alive) return this.#closing = Promise.resolve();
    this.#closing = new Promise<void>((resolve) => {
      const timer = setTimeout(() => this.#stop(), CLOSE_TIMEOUT_MS);
      this.#onClosed = () => {
        clearTimeout(timer);
        resolve();
      };
      this.#worker.postMessage("close");
    });
    return this.#closing;
  }

  #receive(message: CheckpointMessage): void {
    if (message === "started") return;
    if (message === "closed") {
      this.#stop();
      return;
    }
    const s = this.#stats;
    if (message.type === "failure") {
      if (message.fatal) {
        this.#die(new Error(`The checkpoint worker failed: ${message.message}`));
        return;
      }
      s.failures++;
      s.lastError = message.message;
      return;
    }
    if (message.mode === "PASSIVE") s.passive++;
    else if (message.mode === "RESTART") s.restart++;
    else s.truncate++;
    if (message.busy !== 0) s.busy++;
    s.maxLogFrames = Math.max(s.maxLogFrames, message.log);
    s.maxMs = Math.max(s.maxMs, message.ms);
    if (message.id !== undefined) {
      this.#waiters.get(message.id)?.(message);
      this.#waiters.delete(message.id);
    }
  }

  /** Terminates the worker and settles whoever waits on it. */
  #stop(): void {
    if (!this.#alive && this.#onClosed === null) return;
    this.#alive = false;
    this.#worker.terminate();
    const waiters = [...this.#waiters.values()];
    this.#waiters.clear();
    const idle: CheckpointReport = {
      type: "report",
      mode: "PASSIVE",
      busy: 1,
      log: -1,
      checkpointed: -1,
      ms: 0,
    };
    for (const w of waiters) w(idle);
    const onClosed = this.#onClosed;
    this.#onClosed = null;
    onClosed?.();
  }

  #die(error: Error): void {
    if (!this.#alive) return;
    this.#stats.failures++;
    this.#stats.lastError = error.message;
    const closing = this.#onClosed !== null;
    this.#stop();
    if (!closing) this.#onUnavailable(error);
  }
}
