/**
 * The system clock, the default `Clock` adapter: `performance.now()` with
 * `performance.timeOrigin` as its wall-clock origin (sub-millisecond, and consistent with the
 * monotonic time orders are stamped with at the edge).
 *
 * @module
 */

import type { Clock } from "./ports.ts";

/** The process's clock. */
export const systemClock: Clock = {
  monotonic: () => performance.now(),
  origin: performance.timeOrigin,
};

/** Wall-clock ms since the epoch on `clock`. */
export function wallNow(clock: Clock): number {
  return clock.origin + clock.monotonic();
}
