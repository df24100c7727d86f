/**
 * The in-process read cache: a Map with per-entry expiry, checked on read (no timers), bounded
 * in size (the oldest entry is evicted when full).
 *
 * @module
 */

import type { ReadCache } from "../trading/ports.ts";

interface Entry {
  value: unknown;
  expiresAt: number;
}

/** Options of the in-process cache. */
export interface MemoryCacheOptions {
  /** Largest number of entries (default 10,000). */
  maxEntries?: number;
  /** Clock in ms (default `performance.now`), injectable for tests. */
  now?: () => number;
}

/** An in-process TTL cache. */
export class MemoryCache implements ReadCache {
  readonly #entries = new Map<string, Entry>();
  readonly #maxEntries: number;
  readonly #now: () => number;
  /** Lookups that found a live value. */
  hits = 0;
  /** Lookups that found nothing or an expired value. */
  misses = 0;

  /** Creates an empty cache. */
  constructor(options: MemoryCacheOptions = {}) {
    this.#maxEntries = options.maxEntries ?? 10_000;
    this.#now = options.now ?? (() => performance.now());
  }

  /** The live value, synchronously (the async `get` wraps this). */
  getSync<T>(key: string): T | undefined {
    const entry = this.#entries.get(key);
    if (entry === undefined) {
      this.misses++;
      return undefined;
    }
    if (entry.expiresAt <= this.#now()) {
      this.#entries.delete(key);
      this.misses++;
      return undefined;
    }
    this.hits++;
    return entry.value as T;
  }

  /** Stores a value synchronously (the async `set` wraps this). */
  setSync<T>(key: string, value: T, ttlMs: number): void {
    if (!(ttlMs > 0)) {
      this.#entries.delete(key);
      return;
    }
    if (!this.#entries.has(key) && this.#entries.size >= this.#maxEntries) {
      const oldest = this.#entries.keys().next();
      if (!oldest.done) this.#entries.delete(oldest.value);
    }
    // Re-insert so iteration order stays oldest-written first.
    this.#entries.delete(key);
    this.#entries.set(key, { value, expiresAt: this.#now() + ttlMs });
  }

  get<T>(key: string): Promise<T | undefined> {
    return Promise.resolve(this.getSync<T>(key));
  }

  set<T>(key: string, value: T, ttlMs: number): Promise<void> {
    this.setSync(key, value, ttlMs);
    return Promise.resolve();
  }

  delete(key: string): Promise<void> {
    this.#entries.delete(key);
    return Promise.resolve();
  }

  /** Number of stored entries (expired ones included until read). */
  get size(): number {
    return this.#entries.size;
  }

  close(): Promise<void> {
    this.#entries.clear();
    return Promise.resolve();
  }
}
