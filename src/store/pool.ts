/**
 * A fixed-size connection pool: `max` connections created up front, leased one at a time.
 * Reports its state (active, idle, waiting, max) to a listener on every change, which becomes
 * the `db_connection_pool_size{status}` gauge at the edge.
 *
 * With `node:sqlite` every statement is synchronous, so a reader's lease lasts only for its
 * query; leases held across an `await` (a group-commit batch holds one from its first write to
 * its commit) are what make connections show as active, and callers wait when none is idle.
 *
 * @module
 */

import type { PoolState } from "../trading/ports.ts";

/** A pool of connections of type `C`. */
export class Pool<C> {
  readonly #idle: C[];
  readonly #all: readonly C[];
  readonly #waiters: ((connection: C) => void)[] = [];
  readonly #onChange: (state: PoolState) => void;
  #closed = false;

  /** Wraps already-open connections; `onChange` receives every state change. */
  constructor(connections: readonly C[], onChange: (state: PoolState) => void = () => {}) {
    if (connections.length === 0) throw new RangeError("A pool needs at least one connection");
    this.#all = connections;
    this.#idle = [...connections];
    this.#onChange = onChange;
    this.#report();
  }

  /** The current state. */
  get state(): PoolState {
    const max = this.#all.length;
    const idle = this.#idle.length;
    return { active: max - idle, idle, waiting: this.#waiters.length, max };
  }

  /** Every connection (for setup and closing). */
  get connections(): readonly C[] {
    return this.#all;
  }

  /** A connection now, or null when all are leased. */
  tryAcquire(): C | null {
    if (this.#closed) throw new Error("The connection pool is closed");
    const c = this.#idle.pop();
    if (c === undefined) return null;
    this.#report();
    return c;
  }

  /** A connection, waiting in FIFO order when all are leased. */
  acquire(): Promise<C> {
    const c = this.tryAcquire();
    if (c !== null) return Promise.resolve(c);
    return new Promise<C>((resolve) => {
      this.#waiters.push(resolve);
      this.#report();
    });
  }

  /** Returns a leased connection (handing it straight to the first waiter, if any). */
  release(connection: C): void {
    const next = this.#waiters.shift();
    if (next !== undefined) {
      this.#report();
      next(connection);
      return;
    }
    this.#idle.push(connection);
    this.#report();
  }

  /** Runs `fn` with a leased connection and returns it afterwards. */
  async use<T>(fn: (connection: C) => T): Promise<Awaited<T>> {
    const c = this.tryAcquire() ?? await this.acquire();
    try {
      return await fn(c);
    } finally {
      this.release(c);
    }
  }

  /** Marks the pool closed; the caller closes the connections. */
  close(): void {
    this.#closed = true;
  }

  #report(): void {
    this.#onChange(this.state);
  }
}
