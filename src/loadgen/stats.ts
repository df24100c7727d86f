/**
 * What a run measured: counts, the status-code and error breakdown, HDR histograms of latency
 * (from the intended send time), service time (from the actual send) and send lateness, and a
 * timeline (per interval: answers, failures, rejections and a latency histogram). Percentiles
 * come from `hdr-histogram-js` (its pure-JS build: no WebAssembly start-up, and about 70 ns per
 * recorded value here).
 *
 * {@link Stats.snapshot} turns the whole into plain data (histograms in HDR's compressed base64
 * encoding) that crosses a worker boundary or sits in the `--json` report, and
 * {@link Stats.merge} adds such a snapshot back exactly: merged percentiles are those of one
 * histogram holding every value.
 *
 * @module
 */
import * as hdr from "hdr-histogram-js";
import type { ErrorKind } from "./http_client.ts";
import type { PlannedRequest, ScenarioName } from "./scenarios.ts";

/** A histogram of microseconds, 1 µs to 1 h at 3 significant digits. */
export type Histogram = hdr.Histogram;

const HDR_CONFIG = {
  bitBucketSize: 32,
  lowestDiscernibleValue: 1,
  highestTrackableValue: 3_600_000_000,
  numberOfSignificantValueDigits: 3,
  autoResize: true,
  useWebAssembly: false,
} as const;

/** Create a microsecond histogram. */
export function newHistogram(): Histogram {
  return hdr.build(HDR_CONFIG);
}

/** A histogram as data: HDR's compressed base64 encoding, and the exact extremes. */
export interface EncodedHistogram {
  /** `hdr.encodeIntoCompressedBase64` of the microsecond histogram. */
  hdr: string;
  /** Exact smallest and largest recorded values (µs); HDR keeps them to its precision only. */
  min: number;
  max: number;
}

/** Encode a histogram (null when empty). */
export function encodeHistogram(h: Histogram, max: number): EncodedHistogram | null {
  if (h.totalCount === 0) return null;
  return { hdr: hdr.encodeIntoCompressedBase64(h), min: h.minNonZeroValue, max };
}

/** Decode an {@link encodeHistogram} result into a histogram of this module's configuration. */
export function decodeHistogram(e: EncodedHistogram): Histogram {
  const h = newHistogram();
  h.add(hdr.decodeFromCompressedBase64(e.hdr, 32, false));
  return h;
}

/** What an answer means for the run. */
export type Outcome = "ok" | "rejected" | "failed";

/**
 * The outcome of an answer with `status`:
 * - `rejected`, an expected business outcome: a 422 to an order (a risk limit refused it), or
 *   any 4xx to a request malformed or rejected on purpose (`--invalid-ratio`);
 * - `failed`: 5xx, any other 4xx, and anything but a 4xx to a request invalid on purpose;
 * - `ok`: the rest (2xx, 3xx).
 * Transport errors and time-outs are failures too (see {@link Stats.recordError}).
 */
export function outcomeOf(req: PlannedRequest, status: number): Outcome {
  if (req.invalid) return status >= 400 && status < 500 ? "rejected" : "failed";
  if (status < 400) return "ok";
  if (status === 422 && (req.scenario === "orders" || req.scenario === "limit")) {
    return "rejected";
  }
  return "failed";
}

/** Per-scenario figures. */
export interface ScenarioStats {
  requests: number;
  failed: number;
  rejected: number;
  statuses: Map<number, number>;
  errors: Map<ErrorKind, number>;
  /** Null when the run has one scenario (its latency is the run's). */
  latency: Histogram | null;
  /** Exact largest latency (µs). */
  maxUs: number;
}

/** One interval of the timeline. */
export interface Interval {
  completed: number;
  failed: number;
  rejected: number;
  latency: Histogram;
  maxUs: number;
}

/** Which histograms to keep beyond latency (each costs ~70 ns per request). */
export interface StatsOptions {
  /** Keep a latency histogram per scenario (worth it only with several scenarios). */
  perScenario?: boolean;
  /** Keep service time apart from latency (open model; in the closed model they are equal). */
  serviceTime?: boolean;
  /** Timeline interval (ms); default 1 s. */
  intervalMs?: number;
}

/** Live observers of each result (the `--metrics-port` exporter). */
export interface StatsObserver {
  response(scenario: ScenarioName, status: number, latencyUs: number): void;
  error(scenario: ScenarioName, kind: ErrorKind): void;
}

/** The most intervals a timeline keeps; later results go into the last one. */
const MAX_INTERVALS = 3600;

/** Plain-data form of {@link Stats} (see the module documentation). */
export interface StatsSnapshot {
  sent: number;
  responses: number;
  transportErrors: number;
  failedResponses: number;
  rejected: number;
  dropped: number;
  late: number;
  invalidSent: number;
  orders2xx: number;
  statuses: Record<string, number>;
  errors: Record<string, number>;
  latency: EncodedHistogram | null;
  service: EncodedHistogram | null;
  lateness: EncodedHistogram | null;
  scenarios: Record<
    string,
    ScenarioCounts & {
      errors: Record<string, number>;
      latency: EncodedHistogram | null;
    }
  >;
  intervalMs: number;
  /** Intervals from the run's start (index i covers [i, i+1) × intervalMs). */
  timeline: ({
    completed: number;
    failed: number;
    rejected: number;
    latency: EncodedHistogram | null;
  } | null)[];
}

/** A count map as a plain record, keys in order (for JSON). */
export const toRecord = <K extends string | number>(m: Map<K, number>) =>
  Object.fromEntries([...m].sort((a, b) => (a[0] < b[0] ? -1 : 1)).map(([k, v]) => [String(k), v]));

/** A scenario's counts as plain data (in a snapshot and in the report). */
export interface ScenarioCounts {
  requests: number;
  failed: number;
  rejected: number;
  statuses: Record<string, number>;
}

/** The plain-data counts of a scenario. */
export function scenarioCounts(s: ScenarioStats): ScenarioCounts {
  return {
    requests: s.requests,
    failed: s.failed,
    rejected: s.rejected,
    statuses: toRecord(s.statuses),
  };
}

function addInto<K>(m: Map<K, number>, r: Record<string, number>, key: (k: string) => K): void {
  for (const [k, v] of Object.entries(r)) m.set(key(k), (m.get(key(k)) ?? 0) + v);
}

/** Accumulates one run's measurements. */
export class Stats {
  /** Requests written to a connection (or attempted). */
  sent = 0;
  /** Requests that got a complete HTTP response. */
  responses = 0;
  /** Requests that got no response (transport errors, time-outs). */
  transportErrors = 0;
  /** Answers whose outcome is `failed` (see {@link outcomeOf}). */
  failedResponses = 0;
  /** Answers whose outcome is `rejected` (see {@link outcomeOf}). */
  rejected = 0;
  /** Open model: intended sends that never went out (backlog too old, or run over). */
  dropped = 0;
  /** Open model: sends that went out later than the lateness threshold after their intended time. */
  late = 0;
  /** Requests malformed or rejected on purpose. */
  invalidSent = 0;
  /** 2xx answers to order requests (filled or cancelled orders). */
  orders2xx = 0;
  readonly statuses = new Map<number, number>();
  readonly errors = new Map<ErrorKind, number>();
  readonly latency: Histogram = newHistogram();
  /** Exact largest latency (µs). */
  latencyMaxUs = 0;
  /** Null when service time equals latency (closed model). */
  readonly service: Histogram | null;
  serviceMaxUs = 0;
  readonly lateness: Histogram = newHistogram();
  latenessMaxUs = 0;
  readonly scenarios = new Map<ScenarioName, ScenarioStats>();
  /** Timeline interval (ms). */
  readonly intervalMs: number;
  /** The timeline (sparse: an interval with no result is undefined). */
  readonly timeline: (Interval | undefined)[] = [];
  /** `performance.now()` of the timeline's origin (the run's start). */
  origin = performance.now();
  observer: StatsObserver | null = null;
  readonly #perScenario: boolean;

  /** Create empty stats. */
  constructor(options: StatsOptions = {}) {
    this.#perScenario = options.perScenario ?? true;
    this.service = (options.serviceTime ?? true) ? newHistogram() : null;
    this.intervalMs = options.intervalMs ?? 1000;
  }

  /** Count a request that is going out now. */
  noteSent(req: PlannedRequest, latenessUs: number, lateThresholdUs: number): void {
    this.sent++;
    if (req.invalid) this.invalidSent++;
    if (latenessUs >= 0) {
      const v = latenessUs < 1 ? 1 : latenessUs;
      this.lateness.recordValue(v);
      if (v > this.latenessMaxUs) this.latenessMaxUs = v;
      if (latenessUs > lateThresholdUs) this.late++;
    }
  }

  /** Record an answer; `now` is its `performance.now()` when the caller has it. */
  recordResponse(
    req: PlannedRequest,
    status: number,
    latencyUs: number,
    serviceUs: number,
    now: number = performance.now(),
  ): void {
    this.responses++;
    this.statuses.set(status, (this.statuses.get(status) ?? 0) + 1);
    const lat = latencyUs < 1 ? 1 : latencyUs;
    this.latency.recordValue(lat);
    if (lat > this.latencyMaxUs) this.latencyMaxUs = lat;
    if (this.service !== null) {
      const sv = serviceUs < 1 ? 1 : serviceUs;
      this.service.recordValue(sv);
      if (sv > this.serviceMaxUs) this.serviceMaxUs = sv;
    }
    const outcome = outcomeOf(req, status);
    if (outcome === "failed") this.failedResponses++;
    else if (outcome === "rejected") this.rejected++;
    if (status >= 200 && status < 300 && (req.scenario === "orders" || req.scenario === "limit")) {
      this.orders2xx++;
    }
    const s = this.#scenario(req.scenario);
    s.requests++;
    if (outcome === "failed") s.failed++;
    else if (outcome === "rejected") s.rejected++;
    s.statuses.set(status, (s.statuses.get(status) ?? 0) + 1);
    if (s.latency !== null) {
      s.latency.recordValue(lat);
      if (lat > s.maxUs) s.maxUs = lat;
    }
    const iv = this.#interval(now);
    iv.completed++;
    if (outcome === "failed") iv.failed++;
    else if (outcome === "rejected") iv.rejected++;
    iv.latency.recordValue(lat);
    if (lat > iv.maxUs) iv.maxUs = lat;
    this.observer?.response(req.scenario, status, lat);
  }

  /** Record a request that got no answer. */
  recordError(req: PlannedRequest, kind: ErrorKind): void {
    this.transportErrors++;
    this.errors.set(kind, (this.errors.get(kind) ?? 0) + 1);
    const s = this.#scenario(req.scenario);
    s.requests++;
    s.failed++;
    s.errors.set(kind, (s.errors.get(kind) ?? 0) + 1);
    const iv = this.#interval(performance.now());
    iv.completed++;
    iv.failed++;
    this.observer?.error(req.scenario, kind);
  }

  /** Requests that ended (answered or failed). */
  get completed(): number {
    return this.responses + this.transportErrors;
  }

  /** Failures: transport errors plus failed answers (rejections are not failures). */
  get failures(): number {
    return this.transportErrors + this.failedResponses;
  }

  /** The whole as plain data. */
  snapshot(): StatsSnapshot {
    const scenarios: StatsSnapshot["scenarios"] = {};
    for (const [name, s] of this.scenarios) {
      scenarios[name] = {
        ...scenarioCounts(s),
        errors: toRecord(s.errors),
        latency: s.latency === null ? null : encodeHistogram(s.latency, s.maxUs),
      };
    }
    return {
      sent: this.sent,
      responses: this.responses,
      transportErrors: this.transportErrors,
      failedResponses: this.failedResponses,
      rejected: this.rejected,
      dropped: this.dropped,
      late: this.late,
      invalidSent: this.invalidSent,
      orders2xx: this.orders2xx,
      statuses: toRecord(this.statuses),
      errors: toRecord(this.errors),
      latency: encodeHistogram(this.latency, this.latencyMaxUs),
      service: this.service === null ? null : encodeHistogram(this.service, this.serviceMaxUs),
      lateness: encodeHistogram(this.lateness, this.latenessMaxUs),
      scenarios,
      intervalMs: this.intervalMs,
      timeline: Array.from(this.timeline, (iv) =>
        iv === undefined ? null : {
          completed: iv.completed,
          failed: iv.failed,
          rejected: iv.rejected,
          latency: encodeHistogram(iv.latency, iv.maxUs),
        }),
    };
  }

  /**
   * Add a snapshot (of another worker or machine) exactly. `offset` shifts its timeline by that
   * many intervals (runs that started later).
   */
  merge(s: StatsSnapshot, offset = 0): void {
    this.sent += s.sent;
    this.responses += s.responses;
    this.transportErrors += s.transportErrors;
    this.failedResponses += s.failedResponses;
    this.rejected += s.rejected;
    this.dropped += s.dropped;
    this.late += s.late;
    this.invalidSent += s.invalidSent;
    this.orders2xx += s.orders2xx;
    addInto(this.statuses, s.statuses, Number);
    addInto(this.errors, s.errors, (k) => k as ErrorKind);
    const into = (h: Histogram | null, e: EncodedHistogram | null) => {
      if (h !== null && e !== null) h.add(decodeHistogram(e));
      return e?.max ?? 0;
    };
    this.latencyMaxUs = Math.max(this.latencyMaxUs, into(this.latency, s.latency));
    // A closed-model snapshot has no separate service time: its latency is the service time.
    this.serviceMaxUs = Math.max(this.serviceMaxUs, into(this.service, s.service ?? s.latency));
    this.latenessMaxUs = Math.max(this.latenessMaxUs, into(this.lateness, s.lateness));
    for (const [name, sc] of Object.entries(s.scenarios)) {
      const mine = this.#scenario(name as ScenarioName);
      mine.requests += sc.requests;
      mine.failed += sc.failed;
      mine.rejected += sc.rejected;
      addInto(mine.statuses, sc.statuses, Number);
      addInto(mine.errors, sc.errors, (k) => k as ErrorKind);
      // One scenario: its latency is the run's.
      mine.maxUs = Math.max(mine.maxUs, into(mine.latency, sc.latency ?? s.latency));
    }
    if (s.intervalMs !== this.intervalMs) {
      throw new Error(`Timeline intervals differ: ${s.intervalMs} ms and ${this.intervalMs} ms`);
    }
    s.timeline.forEach((p, i) => {
      if (p === null) return;
      const iv = this.#intervalAt(i + offset);
      iv.completed += p.completed;
      iv.failed += p.failed;
      iv.rejected += p.rejected;
      iv.maxUs = Math.max(iv.maxUs, into(iv.latency, p.latency));
    });
  }

  /** The interval `now` falls in (the last one found is kept: most answers land in it). */
  #interval(now: number): Interval {
    const index = Math.floor((now - this.origin) / this.intervalMs);
    if (index === this.#lastIndex && this.#last !== null) return this.#last;
    this.#lastIndex = index;
    return this.#last = this.#intervalAt(index);
  }
  #lastIndex = -1;
  #last: Interval | null = null;

  #intervalAt(index: number): Interval {
    const i = Math.max(0, Math.min(index, MAX_INTERVALS - 1));
    let iv = this.timeline[i];
    if (iv === undefined) {
      iv = { completed: 0, failed: 0, rejected: 0, latency: newHistogram(), maxUs: 0 };
      this.timeline[i] = iv;
    }
    return iv;
  }

  #scenario(name: ScenarioName): ScenarioStats {
    let s = this.scenarios.get(name);
    if (!s) {
      s = {
        requests: 0,
        failed: 0,
        rejected: 0,
        statuses: new Map(),
        errors: new Map(),
        latency: this.#perScenario ? newHistogram() : null,
        maxUs: 0,
      };
      this.scenarios.set(name, s);
    }
    return s;
  }
}
