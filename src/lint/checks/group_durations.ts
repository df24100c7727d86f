/**
 * Group durations: `interval` and (Prometheus 3) `query_offset` are Prometheus durations.
 *
 * @module
 */
import type { Check } from "../check.ts";
import type { Problem, Scalar } from "../model.ts";
import { parseDuration } from "../duration.ts";
import type { FileContext } from "../context.ts";

/** Problems of duration fields (name, scalar) that do not parse; shared with rule/duration. */
export function durationProblems(
  check: string,
  ctx: FileContext,
  fields: readonly (readonly [string, Scalar | undefined])[],
): Problem[] {
  const out: Problem[] = [];
  for (const [field, s] of fields) {
    const d = s && parseDuration(s.value);
    if (d && "error" in d) out.push(ctx.node(check, "error", s.node, `${field}: ${d.error}`));
  }
  return out;
}

/** `interval` and `query_offset` parse as durations. */
export const groupDurations: Check = {
  name: "group/duration",
  kind: "promtool",
  description: "group interval and query_offset are valid durations",
  group(g, ctx) {
    const fields = [["interval", g.interval], ["query_offset", g.queryOffset]] as const;
    return durationProblems(this.name, ctx, fields);
  },
};
