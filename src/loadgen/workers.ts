/**
 * `--workers N`: N Deno Workers (threads of this process, with its permissions) each run an even
 * share of the plan (rate, connections, requests), start on one common clock, and send back the
 * exact snapshot of their stats, which the CLI merges (HDR histograms added, not averaged).
 *
 * Threads rather than processes: one process keeps one CPU account, one `/metrics` endpoint and
 * one signal handler, and a worker needs no `--allow-run`.
 *
 * @module
 */
import type { ErrorKind } from "./http_client.ts";
import type { LiveView } from "./progress.ts";
import { SCENARIOS } from "./scenarios.ts";
import type { Outcome, Plan, Share } from "./session.ts";
import {
  decodeHistogram,
  type EncodedHistogram,
  newHistogram,
  type Stats,
  type StatsObserver,
  type StatsSnapshot,
} from "./stats.ts";
import { ERROR_STATUSES } from "./metrics.ts";

/** Messages to a worker. */
export type ToWorker =
  | { type: "start"; plan: Plan; share: Share; progress: boolean; metrics: boolean }
  | { type: "go"; startAtEpoch: number }
  | { type: "stop" };

/** Live figures of one worker. */
export interface Tick {
  type: "tick";
  inFlight: number;
  backlog: number;
  completed: number;
  failures: number;
  dropped: number;
  late: number;
  latency: EncodedHistogram | null;
}

/** Messages from a worker. */
export type ToCoordinator =
  | { type: "ready" }
  | Tick
  | { type: "results"; scenario: Uint8Array; status: Uint16Array; latencyUs: Float64Array }
  | { type: "done"; snapshot: StatsSnapshot; outcome: Outcome }
  | { type: "error"; message: string };

/** Lead time between every worker being ready and the common start. */
const START_LEAD_MS = 50;

/**
 * After a stop, how long a worker may take to report before it is terminated. A worker still
 * opening thousands of connections can hold its event loop for a second or more (measured: 1.0-2.7
 * s with 5,000 connections per worker on 2 busy cores), and the first Ctrl-C must end the run
 * within a second; such a worker's figures are left out, and the summary says so.
 */
const STOP_GRACE_MS = 500;

/** A run of N workers in progress. */
export class WorkerPool {
  readonly #workers: Worker[] = [];
  readonly #ticks: (Tick | null)[];
  #stopped = false;
  /** Ends the wait for workers that have not reported (set while a run is on). */
  #cutOff: (() => void) | null = null;
  #grace: ReturnType<typeof setTimeout> | undefined;
  /** How many workers were terminated before they reported (their figures are left out). */
  leftOut = 0;

  /** Live figures summed over the workers (for progress and scrape-time metrics). */
  readonly view: LiveView & { late(): number };

  /** Create the pool (nothing runs until {@link WorkerPool.run}). */
  constructor(readonly n: number) {
    this.#ticks = Array.from({ length: n }, () => null);
    const sum = (f: (t: Tick) => number) => () =>
      this.#ticks.reduce((a, t) => a + (t === null ? 0 : f(t)), 0);
    const ticks = this.#ticks;
    this.view = {
      inFlight: sum((t) => t.inFlight),
      backlog: sum((t) => t.backlog),
      completed: sum((t) => t.completed),
      failures: sum((t) => t.failures),
      dropped: sum((t) => t.dropped),
      late: sum((t) => t.late),
      latencyAt(p: number): number {
        const h = newHistogram();
        for (const t of ticks) if (t?.latency) h.add(decodeHistogram(t.latency));
        return h.totalCount === 0 ? NaN : h.getValueAtPercentile(p) / 1000;
      },
    };
  }

  /** Interrupt every worker. */
  stop(): void {
    this.#stopped = true;
    for (const w of this.#workers) w.postMessage({ type: "stop" } satisfies ToWorker);
    if (this.#grace === undefined && this.#cutOff !== null) {
      this.#grace = setTimeout(() => this.#cutOff?.(), STOP_GRACE_MS);
      Deno.unrefTimer(this.#grace);
    }
  }

  /**
   * Run `plan` on the workers, merging each one's stats into `stats` as it finishes; resolves
   * with their outcomes. `observer` receives every result (with `--metrics-port`).
   */
  async run(
    plan: Plan,
    stats: Stats,
    options: { progress: boolean; observer: StatsObserver | null },
  ): Promise<Outcome[]> {
    const url = new URL("./worker.ts", import.meta.url);
    const ready: Promise<void>[] = [];
    const done: Promise<Outcome>[] = [];
    const pending = new Map<number, (o: Outcome) => void>();
    this.#cutOff = () => {
      for (const [index, resolve] of pending) {
        this.#workers[index].terminate();
        this.leftOut++;
        const now = performance.timeOrigin + performance.now();
        resolve({
          startedAt: now,
          endedAt: now,
          lastDoneAt: now,
          firstSentAt: -1,
          lastSentAt: -1,
          interrupted: true,
          abandonedInFlight: this.#ticks[index]?.inFlight ?? 0,
          connections: { used: 0, connects: 0 },
        });
      }
      pending.clear();
    };
    for (let index = 0; index < this.n; index++) {
      const w = new Worker(url, { type: "module", name: `loadgen-${index}` });
      this.#workers.push(w);
      let onReady!: () => void;
      ready.push(new Promise<void>((r) => (onReady = r)));
      done.push(
        new Promise<Outcome>((resolve, reject) => {
          pending.set(index, resolve);
          w.onerror = (e) => {
            e.preventDefault();
            reject(new Error(`loadgen worker ${index}: ${e.message}`));
          };
          w.onmessage = (e: MessageEvent<ToCoordinator>) => {
            const m = e.data;
            switch (m.type) {
              case "ready":
                onReady();
                break;
              case "tick":
                this.#ticks[index] = m;
                break;
              case "results":
                if (options.observer !== null) replay(m, options.observer);
                break;
              case "done":
                if (!pending.delete(index)) break; // cut off already
                stats.merge(m.snapshot);
                resolve(m.outcome);
                break;
              case "error":
                reject(new Error(`loadgen worker ${index}: ${m.message}`));
            }
          };
        }),
      );
      w.postMessage(
        {
          type: "start",
          plan,
          share: { index, of: this.n },
          progress: options.progress,
          metrics: options.observer !== null,
        } satisfies ToWorker,
      );
    }
    try {
      await Promise.race([Promise.all(ready), Promise.all(done)]);
      const startAtEpoch = performance.timeOrigin + performance.now() + START_LEAD_MS;
      for (const w of this.#workers) {
        w.postMessage({ type: "go", startAtEpoch } satisfies ToWorker);
      }
      if (this.#stopped) this.stop();
      return await Promise.all(done);
    } finally {
      clearTimeout(this.#grace);
      this.#cutOff = null;
      for (const w of this.#workers) w.terminate();
    }
  }
}

function replay(
  m: { scenario: Uint8Array; status: Uint16Array; latencyUs: Float64Array },
  observer: StatsObserver,
): void {
  for (let i = 0; i < m.scenario.length; i++) {
    const scenario = SCENARIOS[m.scenario[i]];
    const status = m.status[i];
    if (status >= 1000) observer.error(scenario, ERROR_STATUSES[status - 1000] as ErrorKind);
    else observer.response(scenario, status, m.latencyUs[i]);
  }
}
