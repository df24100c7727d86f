/**
 * Group durations: `interval` and (Prometheus 3) `query_offset` are Prometheus durations.
 *
 * @module
 */
import type { Check } from "../check.ts";
import type { Problem, Scalar } from "../model.ts";
import { parseDuration } from "../duration.ts";
import type { FileContext } from "../context.ts";

/** Check one duration field; shared with the rule duration check. */
export function durationProblem(
  check: string,
  ctx: FileContext,
  field: string,
  s: Scalar | undefined,
): Problem | undefined {
  if (!s) return undefined;
  const d = parseDuration(s.value);
  if ("error" in d) return ctx.node(check, "error", s.node, `${field}: ${d.error}`);
  return undefined;
}

/** `interval` and `query_offset` parse as durations. */
export const groupDurations: Check = {
  name: "group/duration",
  kind: "promtool",
  description: "group interval and query_offset are valid durations",
  group(g, ctx) {
    const out: Problem[] = [];
    for (
      const p of [
        durationProblem(this.name, ctx, "interval", g.interval),
        durationProblem(this.name, ctx, "query_offset", g.queryOffset),
      ]
    ) if (p) out.push(p);
    return out;
  },
};
