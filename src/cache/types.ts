/**
 * The read-cache contract: get/set with a time-to-live. The in-process implementation is
 * `memory.ts`; a Redis backend can implement the same interface (hence the async methods and
 * JSON-serialisable values).
 *
 * @module
 */

/** A key-value read cache with per-entry time-to-live. */
export interface ReadCache {
  /** The live value under `key`, or undefined when absent or expired (a miss). */
  get<T>(key: string): Promise<T | undefined>;
  /** Stores `value` under `key` for `ttlMs` milliseconds. */
  set<T>(key: string, value: T, ttlMs: number): Promise<void>;
  /** Removes `key` (e.g. after a write made it stale). */
  delete(key: string): Promise<void>;
  /** Releases the backend's resources. */
  close(): Promise<void>;
}
