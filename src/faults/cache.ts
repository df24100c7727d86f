/**
 * The cache fault, a decorator of the read-cache port: `bypass` makes every lookup miss and
 * stores nothing (the service reads from the source, as with a cold or skipped cache);
 * `outage` makes every cache call fail, as an unreachable Redis does.
 *
 * @module
 */
import type { ReadCache } from "../trading/ports.ts";
import type { FaultRegistry } from "./registry.ts";

/** The error of a cache call during a cache outage. */
export class CacheOutageError extends Error {
  constructor() {
    super("the read cache is unavailable (cache outage fault)");
    this.name = "CacheOutageError";
  }
}

/** `cache` under the registry's `cache` fault. */
export function faultyCache(cache: ReadCache, faults: FaultRegistry): ReadCache {
  const outage = () => Promise.reject(new CacheOutageError());
  return {
    get<T>(key: string): Promise<T | undefined> {
      const fault = faults.get("cache");
      if (fault === undefined) return cache.get<T>(key);
      return fault.mode === "bypass" ? Promise.resolve(undefined) : outage();
    },
    set<T>(key: string, value: T, ttlMs: number): Promise<void> {
      const fault = faults.get("cache");
      if (fault === undefined) return cache.set(key, value, ttlMs);
      return fault.mode === "bypass" ? Promise.resolve() : outage();
    },
    delete(key: string): Promise<void> {
      const fault = faults.get("cache");
      // A bypassed cache still drops stale entries, so that nothing stale is read afterwards.
      if (fault === undefined || fault.mode === "bypass") return cache.delete(key);
      return outage();
    },
    close: () => cache.close(),
  };
}
