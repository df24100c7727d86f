/**
 * `--prometheus-url`: a rate-like range shorter than twice the scrape interval of the targets
 * that export the metric (`/api/v1/targets`; the jobs of the metric's series, else every job its
 * `job` matchers allow): windows with one sample give gaps.
 *
 * @module
 */
import type { Check } from "../check.ts";
import { TWO_SAMPLE_FUNCTIONS } from "../promql/functions.ts";
import { formatDuration } from "../duration.ts";

/** Ranges shorter than twice the live scrape interval. */
export const onlineRange: Check = {
  name: "online/range",
  kind: "online",
  description: "ranges are at least twice the targets' scrape interval (--prometheus-url)",
  selector(sel, _a, rule, ctx) {
    const { name, fn, rangeMs } = sel;
    if (!name || !fn || !TWO_SAMPLE_FUNCTIONS.has(fn) || rangeMs === undefined) return [];
    const jobMatchers = sel.matchers.filter((m) => m.label === "job");
    const at = ctx.inScalar(this.name, "warning", rule.expr!, sel.node.from, "", sel.rangeText!);
    const jobOk = (job: string) => jobMatchers.every((m) => ctx.accepts(m, job));
    ctx.defer({ metrics: [name], targets: true }, (facts) => {
      // The jobs whose series the selector reads; else every job its matchers allow.
      const fromSeries = new Set(
        (facts.series.get(name) ?? []).map((s) => s.job).filter((j) => j !== undefined && jobOk(j)),
      );
      const jobs = fromSeries.size ? [...fromSeries] : [...facts.jobIntervals.keys()].filter(jobOk);
      let interval = 0, slowest = "";
      for (const job of jobs) {
        const ms = facts.jobIntervals.get(job) ?? 0;
        if (ms > interval) [interval, slowest] = [ms, job];
      }
      if (interval === 0 || rangeMs >= 2 * interval) return [];
      return [{
        ...at,
        message:
          `${fn}() range [${sel.rangeText}] is shorter than twice the scrape interval of job "${slowest}" ` +
          `in Prometheus (${formatDuration(interval)}): use at least [${
            formatDuration(2 * interval)
          }]`,
      }];
    });
    return [];
  },
};
