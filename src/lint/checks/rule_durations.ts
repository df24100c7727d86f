/**
 * Rule durations: `for` and `keep_firing_for` are Prometheus durations (promtool reports these
 * without a position).
 *
 * @module
 */
import type { Check } from "../check.ts";
import { durationProblems } from "./group_durations.ts";

/** `for` and `keep_firing_for` parse as durations. */
export const ruleDurations: Check = {
  name: "rule/duration",
  kind: "promtool",
  description: "for and keep_firing_for are valid durations",
  rule(r, ctx) {
    return durationProblems(this.name, ctx, [["for", r.for], ["keep_firing_for", r.keepFiringFor]]);
  },
};
