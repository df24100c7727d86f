/**
 * The system clock, the default `Clock` adapter: wall time from `performance.timeOrigin +
 * performance.now()` (sub-millisecond, and consistent with the monotonic time orders are
 * stamped with at the edge).
 *
 * @module
 */

import type { Clock } from "./ports.ts";

/** The process's clock. */
export const systemClock: Clock = {
  now: () => performance.timeOrigin + performance.now(),
  monotonic: () => performance.now(),
};
