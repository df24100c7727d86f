/**
 * The loadgen's own metrics (`--metrics-port N`), served on `/metrics` while the run lasts, as
 * vegeta's `-prometheus-addr` does:
 *
 * - `loadgen_requests_total{scenario,status}`: every completed request; `status` is the HTTP
 *   status code (the service's closed set, else `other`) or the transport error kind;
 * - `loadgen_request_duration_seconds{scenario}`: client-observed latency with the seed's HTTP
 *   buckets, measured from the intended send time (open model; the actual send in the closed
 *   model), so next to the server's `http_request_duration_seconds` the gap is queueing and
 *   network;
 * - `loadgen_dropped_total`, `loadgen_late_total`: intended sends never sent, sends late;
 * - `loadgen_target_rate`: the requested rate now (open model; 0 in the closed model).
 *
 * Counters of answers and the histogram follow each result ({@link LoadgenMetrics} is a
 * {@link StatsObserver}); dropped, late and the target rate are read at scrape time.
 *
 * @module
 */
import type * as prom from "prom-client";
import CounterClass from "prom-client/lib/counter.js";
import GaugeClass from "prom-client/lib/gauge.js";
import HistogramClass from "prom-client/lib/histogram.js";
import RegistryClass from "prom-client/lib/registry.js";
import { HTTP_DURATION_BUCKETS } from "../metrics/catalog.ts";
import { HTTP_STATUSES } from "../metrics/labels.ts";
import type { ErrorKind } from "./http_client.ts";
import type { ScenarioName } from "./scenarios.ts";
import type { StatsObserver } from "./stats.ts";

const Counter = CounterClass as unknown as typeof prom.Counter;
const Gauge = GaugeClass as unknown as typeof prom.Gauge;
const Histogram = HistogramClass as unknown as typeof prom.Histogram;
const Registry = RegistryClass as unknown as typeof prom.Registry;

/** Transport error kinds, as `status` values. */
export const ERROR_STATUSES: readonly ErrorKind[] = [
  "refused",
  "reset",
  "closed",
  "timeout",
  "parse",
  "connect",
];

const KNOWN = new Set<string>(HTTP_STATUSES);

/** The `status` label of an HTTP answer: the code when in the service's set, else `other`. */
export function statusLabel(status: number): string {
  const s = String(status);
  return KNOWN.has(s) ? s : "other";
}

/** Figures read at scrape time. */
export interface LiveFigures {
  dropped(): number;
  late(): number;
  /** Requests per second asked for now; null in the closed model. */
  targetRate(): number | null;
}

/** A counter that follows the running count `read()` at scrape time (it only ever rises). */
function mirrorCounter(
  name: string,
  help: string,
  registers: prom.Registry[],
  read: () => number,
): void {
  let seen = 0;
  new Counter({
    name,
    help,
    registers,
    collect() {
      const now = read();
      if (now > seen) this.inc(now - seen);
      seen = now;
    },
  });
}

/** The registry of one run, and the observer that feeds it. */
export class LoadgenMetrics implements StatsObserver {
  readonly registry: prom.Registry = new Registry();
  readonly #requests: prom.Counter<"scenario" | "status">;
  readonly #duration: prom.Histogram<"scenario">;

  /** Create the metrics of a run whose mix has `scenarios`. */
  constructor(scenarios: readonly ScenarioName[], live: LiveFigures) {
    const registers = [this.registry];
    this.#requests = new Counter({
      name: "loadgen_requests_total",
      help: "Requests completed by the load generator, by scenario and HTTP status or error kind.",
      labelNames: ["scenario", "status"],
      registers,
    });
    this.#duration = new Histogram({
      name: "loadgen_request_duration_seconds",
      help: "Client-observed latency, from the intended send time (open model), in seconds.",
      labelNames: ["scenario"],
      buckets: HTTP_DURATION_BUCKETS,
      registers,
    });
    for (const scenario of scenarios) this.#duration.zero({ scenario });
    mirrorCounter(
      "loadgen_dropped_total",
      "Intended sends that never went out (no free connection in time, or the run ended).",
      registers,
      () => live.dropped(),
    );
    mirrorCounter(
      "loadgen_late_total",
      "Sends that went out later than --late-threshold after their intended time.",
      registers,
      () => live.late(),
    );
    new Gauge({
      name: "loadgen_target_rate",
      help: "The request rate asked for now (requests per second; 0 in the closed model).",
      registers,
      collect() {
        this.set(live.targetRate() ?? 0);
      },
    });
  }

  /** An HTTP answer. */
  response(scenario: ScenarioName, status: number, latencyUs: number): void {
    this.#requests.inc({ scenario, status: statusLabel(status) });
    this.#duration.observe({ scenario }, latencyUs / 1e6);
  }

  /** A request that got no answer. */
  error(scenario: ScenarioName, kind: ErrorKind): void {
    this.#requests.inc({ scenario, status: kind });
  }
}

/** A running `/metrics` endpoint. */
export interface MetricsServer {
  port: number;
  close(): Promise<void>;
}

/** Serve `metrics` on `http://host:port/metrics` (port 0: a free one). */
export function serveMetrics(
  metrics: LoadgenMetrics,
  hostname: string,
  port: number,
): Promise<MetricsServer> {
  return new Promise((resolve, reject) => {
    let server: Deno.HttpServer<Deno.NetAddr>;
    try {
      server = Deno.serve({
        hostname,
        port,
        onListen: (addr) =>
          resolve({
            port: addr.port,
            close: async () => {
              await server.shutdown();
            },
          }),
        onError: () => new Response("internal error", { status: 500 }),
      }, async (req) => {
        if (new URL(req.url).pathname !== "/metrics") {
          return new Response("not found: the loadgen serves /metrics only\n", { status: 404 });
        }
        return new Response(await metrics.registry.metrics(), {
          headers: { "Content-Type": metrics.registry.contentType },
        });
      });
    } catch (e) {
      reject(e);
    }
  });
}
