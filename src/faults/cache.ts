/**
 * The cache fault, a decorator of the read-cache port: `bypass` makes every lookup miss and
 * stores nothing (the service reads from the source, as with a cold or skipped cache);
 * `outage` is the cache backend down, as the Redis adapter lives it: every lookup misses, writes
 * and deletes are skipped, and `ping` answers false (so `/ready` reports the cache down).
 *
 * @module
 */
import type { ReadCache } from "../trading/ports.ts";
import type { FaultRegistry } from "./registry.ts";

const MISS: Promise<undefined> = Promise.resolve(undefined);
const DONE: Promise<void> = Promise.resolve();

/** `cache` under the registry's `cache` fault. */
export function faultyCache(cache: ReadCache, faults: FaultRegistry): ReadCache {
  return {
    get<T>(key: string): Promise<T | undefined> {
      return faults.get("cache") === undefined ? cache.get<T>(key) : MISS;
    },
    set<T>(key: string, value: T, ttlMs: number): Promise<void> {
      return faults.get("cache") === undefined ? cache.set(key, value, ttlMs) : DONE;
    },
    delete(key: string): Promise<void> {
      // A bypassed cache still drops stale entries; a cache that is down cannot.
      return faults.get("cache")?.mode === "outage" ? DONE : cache.delete(key);
    },
    ping(): Promise<boolean> {
      if (faults.get("cache")?.mode === "outage") return Promise.resolve(false);
      return cache.ping?.() ?? Promise.resolve(true);
    },
    close: () => cache.close(),
  };
}
