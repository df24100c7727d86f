/**
 * Rule durations: `for` and `keep_firing_for` are Prometheus durations (promtool reports these
 * without a position).
 *
 * @module
 */
import type { Check } from "../check.ts";
import type { Problem } from "../model.ts";
import { durationProblem } from "./group_durations.ts";

/** `for` and `keep_firing_for` parse as durations. */
export const ruleDurations: Check = {
  name: "rule/duration",
  kind: "promtool",
  description: "for and keep_firing_for are valid durations",
  rule(r, ctx) {
    const out: Problem[] = [];
    for (
      const p of [
        durationProblem(this.name, ctx, "for", r.for),
        durationProblem(this.name, ctx, "keep_firing_for", r.keepFiringFor),
      ]
    ) if (p) out.push(p);
    return out;
  },
};
