/**
 * `--threshold` pass/fail criteria, as in k6: `p99<250ms`, `p99.9<=1s`, `max<2s`, `mean<50ms`,
 * `errors<1%` (failures: share of completed requests) or `errors<10` (a count), `rejected<5%`
 * (422 at a risk limit or invalid on purpose: expected outcomes, not errors), `dropped<1`, `late<5%`,
 * `rps>=900` (answered per second). A violated threshold makes the run exit with 99.
 *
 * @module
 */
import { parseDuration } from "../cli/mod.ts";
import { UsageError } from "../cli/mod.ts";

/** Comparison operators. */
export type Op = "<" | "<=" | ">" | ">=";

/** A parsed threshold. */
export interface Threshold {
  /** The text as given. */
  expr: string;
  /** `p99`, `max`, `mean`, `min`, `errors`, `dropped`, `late`, `rps`. */
  metric: string;
  op: Op;
  /** Milliseconds for latency, a fraction (0..1) for percentages, else a plain number. */
  value: number;
  /** True when the value was a percentage (compared to a share, not a count). */
  percent: boolean;
}

/** The figures thresholds are checked against. */
export interface ThresholdFigures {
  /** Latency in ms at a percentile (0..100). */
  latencyAt(percentile: number): number;
  latencyMaxMs: number;
  latencyMinMs: number;
  latencyMeanMs: number;
  completed: number;
  failures: number;
  /** Rejections (expected business outcomes, not failures). */
  rejected: number;
  /** Intended sends (sent + dropped). */
  scheduled: number;
  dropped: number;
  late: number;
  achievedRate: number;
}

/** The outcome of one threshold. */
export interface ThresholdResult {
  expr: string;
  /** The measured value, in the threshold's unit (ms, %, count or /s). */
  actual: number;
  unit: string;
  pass: boolean;
}

const RE =
  /^\s*(p\d+(?:\.\d+)?|max|min|mean|avg|errors|rejected|dropped|late|rps|rate)\s*(<=|>=|<|>)\s*(\S+)\s*$/;
const COUNTS = new Set(["errors", "rejected", "dropped", "late"]);

/** Parse one `--threshold`. */
export function parseThreshold(expr: string): Threshold {
  const m = RE.exec(expr);
  if (!m) {
    throw new UsageError(
      `Threshold "${expr}" is not METRIC<VALUE (metrics: pNN, max, min, mean, errors, rejected, dropped, late, rps)`,
      "--threshold",
    );
  }
  let metric = m[1];
  if (metric === "avg") metric = "mean";
  if (metric === "rate") metric = "rps";
  const op = m[2] as Op;
  const raw = m[3];
  if (metric.startsWith("p")) {
    const p = Number(metric.slice(1));
    if (!(p > 0 && p <= 100)) {
      throw new UsageError(
        `Threshold percentile must be in (0, 100], got ${metric}`,
        "--threshold",
      );
    }
  }
  if (COUNTS.has(metric)) {
    const pct = raw.endsWith("%");
    const n = Number(pct ? raw.slice(0, -1) : raw);
    if (!Number.isFinite(n) || n < 0 || (pct && n > 100)) {
      throw new UsageError(`Threshold "${expr}" needs a count or a percentage`, "--threshold");
    }
    return { expr, metric, op, value: pct ? n / 100 : n, percent: pct };
  }
  if (metric === "rps") {
    const n = Number(raw.replace(/\/s$/, ""));
    if (!Number.isFinite(n) || n < 0) {
      throw new UsageError(`Threshold "${expr}" needs a rate per second`, "--threshold");
    }
    return { expr, metric, op, value: n, percent: false };
  }
  const ms = /^\d+(\.\d+)?$/.test(raw) ? Number(raw) : parseDuration(raw);
  if (ms === null || ms < 0) {
    throw new UsageError(`Threshold "${expr}" needs a duration such as 250ms`, "--threshold");
  }
  return { expr, metric, op, value: ms, percent: false };
}

/** The reported value (pass/fail is decided on the exact one): at most 6 decimals. */
const round6 = (x: number) => (Number.isFinite(x) ? Math.round(x * 1e6) / 1e6 : x);

function compare(a: number, op: Op, b: number): boolean {
  switch (op) {
    case "<":
      return a < b;
    case "<=":
      return a <= b;
    case ">":
      return a > b;
    case ">=":
      return a >= b;
  }
}

/** Check every threshold against a run's figures. */
export function evaluateThresholds(
  thresholds: readonly Threshold[],
  f: ThresholdFigures,
): ThresholdResult[] {
  return thresholds.map((t) => {
    let actual: number;
    let unit: string;
    if (t.metric.startsWith("p")) {
      actual = f.latencyAt(Number(t.metric.slice(1)));
      unit = "ms";
    } else if (t.metric === "max" || t.metric === "min" || t.metric === "mean") {
      actual = t.metric === "max"
        ? f.latencyMaxMs
        : t.metric === "min"
        ? f.latencyMinMs
        : f.latencyMeanMs;
      unit = "ms";
    } else if (t.metric === "rps") {
      actual = f.achievedRate;
      unit = "/s";
    } else {
      const count = t.metric === "errors"
        ? f.failures
        : t.metric === "rejected"
        ? f.rejected
        : t.metric === "dropped"
        ? f.dropped
        : f.late;
      const base = t.metric === "errors" || t.metric === "rejected" ? f.completed : f.scheduled;
      if (t.percent) {
        const share = base === 0 ? 0 : count / base;
        return {
          expr: t.expr,
          actual: round6(share * 100),
          unit: "%",
          pass: compare(share, t.op, t.value),
        };
      }
      actual = count;
      unit = "";
    }
    return { expr: t.expr, actual: round6(actual), unit, pass: compare(actual, t.op, t.value) };
  });
}
