/**
 * The run report: one JSON document (`--json FILE`) and its human summary.
 *
 * @module
 */
import { formatMs } from "../duration.ts";
import type { LoadgenOptions } from "./options.ts";
import {
  type Histogram,
  type ScenarioCounts,
  scenarioCounts,
  type Stats,
  type StatsSnapshot,
  toRecord,
} from "./stats.ts";
import type { ThresholdFigures, ThresholdResult } from "./thresholds.ts";

/** Latency distribution in milliseconds (µs resolution); null figures when nothing was recorded. */
export interface Percentiles {
  count: number;
  min: number | null;
  mean: number | null;
  stdev: number | null;
  p50: number | null;
  p90: number | null;
  p99: number | null;
  "p99.9": number | null;
  max: number | null;
}

/** The whole report of a run (the `--json` document). */
export interface Report {
  tool: "tradewatch-loadgen";
  version: string;
  target: string;
  model: "open" | "closed";
  config: {
    rate: number | null;
    rateShape: string | null;
    concurrency: number | null;
    durationMs: number | null;
    requests: number | null;
    maxInFlight: number | null;
    scheduler: string | null;
    lateThresholdMs: number | null;
    mix: Record<string, number>;
    invalidRatio: number;
    seed: number;
    symbols: string[];
    quantity: [number, number];
    sides: string[];
    timeoutMs: number;
    /** Threads that generated the load. */
    workers: number;
  };
  /** ISO-8601 start time. */
  startedAt: string;
  elapsedSeconds: number;
  interrupted: boolean;
  requests: {
    /** Requests sent. */
    sent: number;
    /** Sent requests that ended (answered or failed). */
    completed: number;
    /** Complete HTTP answers. */
    responses: number;
    /**
     * Failures: transport errors and time-outs, 5xx, 4xx other than rejections, and anything but
     * a 4xx to a request invalid on purpose.
     */
    failed: number;
    /**
     * Expected business outcomes, not failures: 422 to an order (a risk limit), and 4xx to a
     * request invalid on purpose.
     */
    rejected: number;
    transportErrors: number;
    /** Open model: intended sends never sent. */
    dropped: number;
    /** Open model: sends later than lateThresholdMs. */
    late: number;
    /** Sent malformed or rejected on purpose. */
    invalid: number;
    /** 2xx answers to order requests. */
    orders2xx: number;
  };
  rate: {
    /** Open model, constant rate: the requested rate; null otherwise. */
    requested: number | null;
    /** Sends per second between the first and the last send. */
    sent: number;
    /** Completed requests per second over the run. */
    achieved: number;
  };
  /** Answers by HTTP status code. */
  statuses: Record<string, number>;
  /** Transport errors by kind (refused, reset, closed, timeout, parse, connect). */
  errors: Record<string, number>;
  /** Open model: from the intended send time; closed model: from the send. */
  latencyMs: Percentiles;
  /** From the actual send to the answer. */
  serviceTimeMs: Percentiles;
  /** Open model: actual minus intended send time; null in the closed model. */
  latenessMs: Percentiles | null;
  scenarios: Record<string, ScenarioCounts & { latencyMs: Percentiles }>;
  /** Per interval of `stats.intervalMs` from the start: answers, outcomes and latency. */
  timeline: TimelinePoint[];
  connections: { used: number; connects: number };
  client: { cpuSeconds: number; cpuMicrosPerRequest: number | null };
  thresholds: ThresholdResult[];
  /** False when a threshold was violated. */
  pass: boolean;
  /** Everything an exact merge (`--merge`) needs: counts and HDR-encoded histograms. */
  stats: StatsSnapshot;
  /** Only in a `--merge` result: the reports it combines. */
  merged?: { file: string; target: string; startedAt: string; requests: number }[];
}

/** One interval of the timeline. */
export interface TimelinePoint {
  /** Start of the interval, seconds after the run's start. */
  t: number;
  /** Completed requests in the interval. */
  completed: number;
  failed: number;
  rejected: number;
  /** Latency percentiles (ms) of the interval's answers; null when none. */
  p50: number | null;
  p90: number | null;
  p99: number | null;
  max: number | null;
}

const round3 = (x: number) => Math.round(x * 1000) / 1000;

/**
 * Summarise a microsecond histogram in milliseconds. `maxUs` is the exact largest value when
 * known (HDR keeps values to 3 significant digits).
 */
export function percentiles(h: Histogram, maxUs?: number): Percentiles {
  const n = h.totalCount;
  if (n === 0) {
    return {
      count: 0,
      min: null,
      mean: null,
      stdev: null,
      p50: null,
      p90: null,
      p99: null,
      "p99.9": null,
      max: null,
    };
  }
  // HDR answers a bucket's highest equivalent value; never report more than the true maximum.
  const max = maxUs !== undefined && maxUs > 0 ? maxUs : h.maxValue;
  const at = (p: number) => round3(Math.min(h.getValueAtPercentile(p), max) / 1000);
  return {
    count: n,
    min: round3(h.minNonZeroValue / 1000),
    mean: round3(h.mean / 1000),
    stdev: round3(h.stdDeviation / 1000),
    p50: at(50),
    p90: at(90),
    p99: at(99),
    "p99.9": at(99.9),
    max: round3(max / 1000),
  };
}

/** The figures thresholds are evaluated on. */
export function thresholdFigures(stats: Stats, achievedRate: number): ThresholdFigures {
  const h = stats.latency;
  const none = h.totalCount === 0;
  const max = stats.latencyMaxUs > 0 ? stats.latencyMaxUs : h.maxValue;
  return {
    latencyAt: (p) => none ? NaN : Math.min(h.getValueAtPercentile(p), max) / 1000,
    latencyMaxMs: none ? NaN : max / 1000,
    latencyMinMs: none ? NaN : h.minNonZeroValue / 1000,
    latencyMeanMs: none ? NaN : h.mean / 1000,
    completed: stats.completed,
    failures: stats.failures,
    rejected: stats.rejected,
    scheduled: stats.sent + stats.dropped,
    dropped: stats.dropped,
    late: stats.late,
    achievedRate,
  };
}

/** What the report needs besides the stats. */
export interface RunFacts {
  version: string;
  /** The normalised target URL. */
  target: string;
  model: "open" | "closed";
  config: Report["config"];
  startedAt: Date;
  elapsedMs: number;
  firstSentAt: number;
  lastSentAt: number;
  interrupted: boolean;
  connections: { used: number; connects: number };
  cpuSeconds: number;
  thresholds: ThresholdResult[];
  /** `--merge`: the reports combined. */
  merged?: Report["merged"];
}

/** The `config` of a report, from the options of its run. */
export function configOf(
  o: LoadgenOptions,
  seed: number,
  symbols: string[],
): Report["config"] {
  const open = o.model === "open";
  return {
    rate: o.shape?.kind === "constant" ? o.shape.rate : null,
    rateShape: o.shapeText,
    concurrency: o.concurrency,
    durationMs: o.durationMs,
    requests: o.requests,
    maxInFlight: open ? o.maxInFlight : null,
    scheduler: open ? o.scheduler : null,
    lateThresholdMs: open ? o.lateThresholdMs : null,
    mix: Object.fromEntries(o.mix),
    invalidRatio: o.invalidRatio,
    seed,
    symbols,
    quantity: [o.quantityMin, o.quantityMax],
    sides: o.sides,
    timeoutMs: o.timeoutMs,
    workers: o.workers,
  };
}

/** Achieved completion rate per second. */
export function achievedRate(stats: Stats, elapsedMs: number): number {
  return elapsedMs > 0 ? (stats.completed * 1000) / elapsedMs : 0;
}

/** Build the report of a finished (or interrupted) run. */
export function buildReport(stats: Stats, f: RunFacts): Report {
  const open = f.model === "open";
  const sentSpan = f.lastSentAt - f.firstSentAt;
  const scenarios: Report["scenarios"] = {};
  for (const [name, s] of stats.scenarios) {
    scenarios[name] = {
      ...scenarioCounts(s),
      latencyMs: s.latency === null
        ? percentiles(stats.latency, stats.latencyMaxUs)
        : percentiles(s.latency, s.maxUs),
    };
  }
  const timeline: TimelinePoint[] = [];
  stats.timeline.forEach((iv, i) => {
    if (iv === undefined) return;
    const p = percentiles(iv.latency, iv.maxUs);
    timeline.push({
      t: round3((i * stats.intervalMs) / 1000),
      completed: iv.completed,
      failed: iv.failed,
      rejected: iv.rejected,
      p50: p.p50,
      p90: p.p90,
      p99: p.p99,
      max: p.max,
    });
  });
  return {
    tool: "tradewatch-loadgen",
    version: f.version,
    target: f.target,
    model: f.model,
    config: f.config,
    startedAt: f.startedAt.toISOString(),
    elapsedSeconds: round3(f.elapsedMs / 1000),
    interrupted: f.interrupted,
    requests: {
      sent: stats.sent,
      completed: stats.completed,
      responses: stats.responses,
      failed: stats.failures,
      rejected: stats.rejected,
      transportErrors: stats.transportErrors,
      dropped: stats.dropped,
      late: stats.late,
      invalid: stats.invalidSent,
      orders2xx: stats.orders2xx,
    },
    rate: {
      requested: f.config.rate,
      sent: round3(stats.sent > 1 && sentSpan > 0 ? ((stats.sent - 1) * 1000) / sentSpan : 0),
      achieved: round3(achievedRate(stats, f.elapsedMs)),
    },
    statuses: toRecord(stats.statuses),
    errors: toRecord(stats.errors),
    latencyMs: percentiles(stats.latency, stats.latencyMaxUs),
    serviceTimeMs: stats.service === null
      ? percentiles(stats.latency, stats.latencyMaxUs)
      : percentiles(stats.service, stats.serviceMaxUs),
    latenessMs: open ? percentiles(stats.lateness, stats.latenessMaxUs) : null,
    scenarios,
    timeline,
    connections: f.connections,
    client: {
      cpuSeconds: round3(f.cpuSeconds),
      cpuMicrosPerRequest: stats.completed > 0
        ? round3((f.cpuSeconds * 1e6) / stats.completed)
        : null,
    },
    thresholds: f.thresholds,
    pass: f.thresholds.every((t) => t.pass),
    stats: stats.snapshot(),
    ...(f.merged ? { merged: f.merged } : {}),
  };
}

const ms = (x: number | null) => (x === null ? "-" : formatMs(x));
const pct = (a: number, b: number) => (b === 0 ? "0.00%" : `${((a * 100) / b).toFixed(2)}%`);

function line(p: Percentiles): string {
  if (p.count === 0) return "no data";
  return `p50 ${ms(p.p50)}  p90 ${ms(p.p90)}  p99 ${ms(p.p99)}  p99.9 ${ms(p["p99.9"])}  max ${
    ms(p.max)
  }`;
}

/** The run's model in words: `open model, 200 req/s`, `… rate shape …`, `closed model, …`. */
export function describeModel(r: Report): string {
  const c = r.config;
  return r.model === "open"
    ? c.rate !== null ? `open model, ${c.rate} req/s` : `open model, rate shape ${c.rateShape}`
    : `closed model, ${c.concurrency} connections`;
}

/** The human summary printed at the end of a run. */
export function formatSummary(r: Report): string {
  const c = r.config;
  const how = describeModel(r);
  const limit = [
    c.durationMs !== null ? `for ${formatMs(c.durationMs)}` : "",
    c.requests !== null ? `up to ${c.requests} requests` : "",
  ].filter(Boolean).join(", ");
  const mix = Object.entries(c.mix).map(([k, v]) => `${k}=${v}`).join(",");
  const q = r.requests;
  const out: string[] = [];
  out.push(
    `tradewatch loadgen: ${how} ${limit} against ${r.target} (mix ${mix}, seed ${c.seed})` +
      (r.interrupted ? " — INTERRUPTED, partial results" : ""),
  );
  out.push(
    `  requests    ${q.sent} sent, ${q.responses} answered, ${q.transportErrors} transport errors` +
      (r.model === "open"
        ? `, ${q.dropped} dropped, ${q.late} late (>${c.lateThresholdMs}ms)`
        : "") +
      (q.invalid ? `, ${q.invalid} invalid on purpose` : ""),
  );
  out.push(
    `  rate        ${r.rate.requested !== null ? `${r.rate.requested}/s requested, ` : ""}` +
      `${r.rate.sent.toFixed(1)}/s sent, ${r.rate.achieved.toFixed(1)}/s completed in ${
        r.elapsedSeconds.toFixed(2)
      }s`,
  );
  const statuses = Object.entries(r.statuses).map(([k, v]) => `${k}: ${v}`).join("  ");
  out.push(`  statuses    ${statuses || "none"}`);
  const errs = Object.entries(r.errors).map(([k, v]) => `${k}: ${v}`).join("  ");
  out.push(
    `  failures    ${q.failed} (${pct(q.failed, q.completed)})${errs ? `  transport ${errs}` : ""}`,
  );
  out.push(
    `  rejected    ${q.rejected} (${
      pct(q.rejected, q.completed)
    })  (422 at a risk limit, or invalid on purpose: expected, not failures)`,
  );
  out.push(
    `  latency     ${line(r.latencyMs)}` +
      (r.model === "open" ? "  (from intended send time)" : ""),
  );
  if (r.model === "open") {
    out.push(`  service     ${line(r.serviceTimeMs)}  (from actual send)`);
    if (r.latenessMs) out.push(`  lateness    ${line(r.latenessMs)}  (${c.scheduler} scheduler)`);
  }
  const names = Object.keys(r.scenarios);
  if (names.length > 1) {
    for (const n of names) {
      const s = r.scenarios[n];
      out.push(
        `  ${
          n.padEnd(11)
        } ${s.requests} requests, ${s.failed} failed, ${s.rejected} rejected, p50 ${
          ms(s.latencyMs.p50)
        }  p99 ${ms(s.latencyMs.p99)}`,
      );
    }
  }
  out.push(
    `  client      ${r.connections.used} connection${r.connections.used === 1 ? "" : "s"} ` +
      `(${r.connections.connects} connect${r.connections.connects === 1 ? "" : "s"}), ` +
      `${r.client.cpuSeconds.toFixed(2)}s CPU` +
      (r.client.cpuMicrosPerRequest !== null
        ? ` (${r.client.cpuMicrosPerRequest.toFixed(1)}us per request)`
        : ""),
  );
  for (const t of r.thresholds) {
    const v = Number.isNaN(t.actual) ? "no data" : `${round3(t.actual)}${t.unit}`;
    out.push(`  threshold   ${t.expr}: ${t.pass ? "ok" : "VIOLATED"} (${v})`);
  }
  return out.join("\n");
}
