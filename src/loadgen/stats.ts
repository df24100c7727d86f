/**
 * What a run measured: counts, the status-code and error breakdown, and HDR histograms of
 * latency (from the intended send time), service time (from the actual send) and send lateness.
 * Percentiles come from `hdr-histogram-js` (its pure-JS build: no WebAssembly start-up, and
 * about 70 ns per recorded value here).
 *
 * @module
 */
import * as hdr from "hdr-histogram-js";
import type { ErrorKind } from "./http_client.ts";
import type { PlannedRequest, ScenarioName } from "./scenarios.ts";

/** A histogram of microseconds, 1 µs to 1 h at 3 significant digits. */
export type Histogram = hdr.Histogram;

/** Create a microsecond histogram. */
export function newHistogram(): Histogram {
  return hdr.build({
    bitBucketSize: 32,
    lowestDiscernibleValue: 1,
    highestTrackableValue: 3_600_000_000,
    numberOfSignificantValueDigits: 3,
    autoResize: true,
    useWebAssembly: false,
  });
}

/** Per-scenario figures. */
export interface ScenarioStats {
  requests: number;
  failed: number;
  statuses: Map<number, number>;
  /** Null when the run has one scenario (its latency is the run's). */
  latency: Histogram | null;
}

/**
 * True when an answer with `status` counts as a failure: any 4xx/5xx for a normal request; for
 * a request malformed on purpose, anything but a 4xx.
 */
export function isFailure(req: PlannedRequest, status: number): boolean {
  return req.invalid ? status < 400 || status >= 500 : status >= 400;
}

/** Which histograms to keep beyond latency (each costs ~70 ns per request). */
export interface StatsOptions {
  /** Keep a latency histogram per scenario (worth it only with several scenarios). */
  perScenario?: boolean;
  /** Keep service time apart from latency (open model; in the closed model they are equal). */
  serviceTime?: boolean;
}

/** Accumulates one run's measurements. */
export class Stats {
  /** Requests written to a connection (or attempted). */
  sent = 0;
  /** Requests that got a complete HTTP response. */
  responses = 0;
  /** Requests that got no response (transport errors). */
  transportErrors = 0;
  /** Answers that count as failures (see {@link isFailure}). */
  failedResponses = 0;
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
  /** Null when service time equals latency (closed model). */
  readonly service: Histogram | null;
  readonly lateness: Histogram = newHistogram();
  readonly scenarios = new Map<ScenarioName, ScenarioStats>();
  /** Completed (answered or failed) requests since the last progress tick. */
  intervalDone = 0;
  readonly #perScenario: boolean;

  /** Create empty stats. */
  constructor(options: StatsOptions = {}) {
    this.#perScenario = options.perScenario ?? true;
    this.service = (options.serviceTime ?? true) ? newHistogram() : null;
  }

  /** Count a request that is going out now. */
  noteSent(req: PlannedRequest, latenessUs: number, lateThresholdUs: number): void {
    this.sent++;
    if (req.invalid) this.invalidSent++;
    if (latenessUs >= 0) {
      this.lateness.recordValue(latenessUs < 1 ? 1 : latenessUs);
      if (latenessUs > lateThresholdUs) this.late++;
    }
  }

  /** Record an answer. */
  recordResponse(req: PlannedRequest, status: number, latencyUs: number, serviceUs: number): void {
    this.responses++;
    this.intervalDone++;
    this.statuses.set(status, (this.statuses.get(status) ?? 0) + 1);
    const lat = latencyUs < 1 ? 1 : latencyUs;
    this.latency.recordValue(lat);
    this.service?.recordValue(serviceUs < 1 ? 1 : serviceUs);
    const failed = isFailure(req, status);
    if (failed) {
      this.failedResponses++;
    }
    if (status >= 200 && status < 300 && (req.scenario === "orders" || req.scenario === "limit")) {
      this.orders2xx++;
    }
    const s = this.#scenario(req.scenario);
    s.requests++;
    if (failed) s.failed++;
    s.statuses.set(status, (s.statuses.get(status) ?? 0) + 1);
    s.latency?.recordValue(lat);
  }

  /** Record a request that got no answer. */
  recordError(req: PlannedRequest, kind: ErrorKind): void {
    this.transportErrors++;
    this.intervalDone++;
    this.errors.set(kind, (this.errors.get(kind) ?? 0) + 1);
    const s = this.#scenario(req.scenario);
    s.requests++;
    s.failed++;
  }

  /** Requests that ended (answered or failed). */
  get completed(): number {
    return this.responses + this.transportErrors;
  }

  /** Failures: transport errors plus failed answers. */
  get failures(): number {
    return this.transportErrors + this.failedResponses;
  }

  #scenario(name: ScenarioName): ScenarioStats {
    let s = this.scenarios.get(name);
    if (!s) {
      s = {
        requests: 0,
        failed: 0,
        statuses: new Map(),
        latency: this.#perScenario ? newHistogram() : null,
      };
      this.scenarios.set(name, s);
    }
    return s;
  }
}
