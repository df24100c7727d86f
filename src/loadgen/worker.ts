/**
 * A load-generating thread of `--workers N` (a Deno Worker). It runs its share of the plan (see
 * `session.ts`) and reports to the CLI's thread:
 *
 * - `ready` once loaded; the CLI answers `go` with the common start time;
 * - `tick` every 250 ms: live figures for progress and the scrape-time metrics (and, with
 *   progress on, its latency histogram so far);
 * - `results` every 250 ms with `--metrics-port`: each result since the last batch (scenario,
 *   status or error kind, latency), in transferable arrays;
 * - `done`: the exact snapshot of its stats (HDR-encoded) and how the run went.
 *
 * `stop` (Ctrl-C in the CLI) interrupts it.
 *
 * @module
 */
/// <reference lib="deno.worker" />
import type { ErrorKind } from "./http_client.ts";
import type { Runner } from "./runner.ts";
import { type ScenarioName, SCENARIOS } from "./scenarios.ts";
import { execute, type Plan, type Share } from "./session.ts";
import { encodeHistogram, Stats, type StatsObserver } from "./stats.ts";
import { ERROR_STATUSES } from "./metrics.ts";
import type { ToCoordinator, ToWorker } from "./workers.ts";

const TICK_MS = 250;
const post = (m: ToCoordinator, transfer: Transferable[] = []) => self.postMessage(m, transfer);

/** Results since the last batch, in growable typed arrays. */
class Batch implements StatsObserver {
  #scenario = new Uint8Array(1024);
  #status = new Uint16Array(1024);
  #latency = new Float64Array(1024);
  #n = 0;

  response(scenario: ScenarioName, status: number, latencyUs: number): void {
    this.#push(SCENARIOS.indexOf(scenario), status, latencyUs);
  }

  error(scenario: ScenarioName, kind: ErrorKind): void {
    this.#push(SCENARIOS.indexOf(scenario), 1000 + ERROR_STATUSES.indexOf(kind), 0);
  }

  flush(): void {
    if (this.#n === 0) return;
    const n = this.#n;
    const m = {
      type: "results" as const,
      scenario: this.#scenario.slice(0, n),
      status: this.#status.slice(0, n),
      latencyUs: this.#latency.slice(0, n),
    };
    post(m, [m.scenario.buffer, m.status.buffer, m.latencyUs.buffer]);
    this.#n = 0;
  }

  #push(scenario: number, status: number, latencyUs: number): void {
    if (this.#n === this.#scenario.length) {
      const grow = <T extends Uint8Array | Uint16Array | Float64Array>(a: T, b: T): T => {
        b.set(a);
        return b;
      };
      const size = this.#n * 2;
      this.#scenario = grow(this.#scenario, new Uint8Array(size));
      this.#status = grow(this.#status, new Uint16Array(size));
      this.#latency = grow(this.#latency, new Float64Array(size));
    }
    this.#scenario[this.#n] = scenario;
    this.#status[this.#n] = status;
    this.#latency[this.#n] = latencyUs;
    this.#n++;
  }
}

let runner: Runner | null = null;
let stopRequested = false;
let started: ((epochMs: number) => void) | null = null;

self.onmessage = (e: MessageEvent<ToWorker>) => {
  const m = e.data;
  if (m.type === "start") run(m.plan, m.share, m.progress, m.metrics);
  else if (m.type === "go") started?.(m.startAtEpoch);
  else if (m.type === "stop") {
    stopRequested = true;
    runner?.stop();
  }
};

async function run(plan: Plan, share: Share, progress: boolean, metrics: boolean) {
  try {
    const stats = new Stats(plan);
    const batch = metrics ? new Batch() : null;
    stats.observer = batch;
    const startAtEpoch = await new Promise<number>((resolve) => {
      started = resolve;
      post({ type: "ready" });
    });
    const tick = () => {
      batch?.flush();
      post({
        type: "tick",
        inFlight: runner?.inFlight ?? 0,
        backlog: runner?.backlog ?? 0,
        completed: stats.completed,
        failures: stats.failures,
        dropped: stats.dropped,
        late: stats.late,
        latency: progress ? encodeHistogram(stats.latency, stats.latencyMaxUs) : null,
      });
    };
    const timer = setInterval(tick, TICK_MS);
    let outcome;
    try {
      outcome = await execute(plan, share, stats, {
        onRunner: (r) => {
          runner = r;
          if (stopRequested) r.stop();
        },
        startAtEpoch,
      });
    } finally {
      clearInterval(timer);
    }
    tick();
    post({ type: "done", snapshot: stats.snapshot(), outcome });
  } catch (e) {
    post({ type: "error", message: e instanceof Error ? e.stack ?? e.message : String(e) });
  }
}
