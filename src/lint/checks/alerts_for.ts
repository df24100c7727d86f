/**
 * `for` shorter than twice the scrape interval: the condition is seen by one or two evaluations
 * of the same sample, so a single odd scrape fires the alert.
 *
 * @module
 */
import type { Check } from "../check.ts";
import { formatDuration, parseDuration } from "../duration.ts";

/** Short `for` durations. */
export const alertsFor: Check = {
  name: "alerts/for",
  kind: "beyond",
  description: "a non-zero for is at least twice the scrape interval",
  rule(r, ctx) {
    if (!r.alert?.value || !r.for) return [];
    const min = 2 * ctx.options.scrapeIntervalMs;
    const d = parseDuration(r.for.value);
    if (!("ms" in d) || d.ms === 0 || d.ms >= min) return [];
    return [ctx.node(
      this.name,
      "warning",
      r.for.node,
      `for: ${r.for.value} is shorter than twice the scrape interval (${ctx.options.scrapeIntervalSource}): one scrape can fire the alert; use at least ${
        formatDuration(min)
      }`,
    )];
  },
};
