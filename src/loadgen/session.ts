/**
 * One thread's part of a run: the plan every worker shares (plain data, so that it crosses a
 * worker boundary), the share of it one of N threads takes, and {@link execute}, which builds the
 * request factory and the runner and runs them. The CLI calls it in its own thread
 * (`--workers 1`) or each worker does (`worker.ts`).
 *
 * @module
 */
import type { RequestError } from "./http_client.ts";
import type { LoadgenOptions } from "./options.ts";
import { Rng } from "../rng.ts";
import { Runner } from "./runner.ts";
import { type PlannedRequest, RequestFactory, type ScenarioName } from "./scenarios.ts";
import type { Stats, StatsOptions } from "./stats.ts";

/** The validated options every thread takes as they are. */
type SharedOptions = Pick<
  LoadgenOptions,
  | "model"
  | "shape"
  | "concurrency"
  | "durationMs"
  | "requests"
  | "maxInFlight"
  | "scheduler"
  | "lateThresholdMs"
  | "invalidRatio"
  | "quantityMin"
  | "quantityMax"
  | "sides"
  | "timeoutMs"
>;

/**
 * What every thread of a run needs to know (plain data); its stats options (a histogram per
 * scenario, service time apart, the timeline interval) are every thread's `new Stats(plan)`.
 */
export interface Plan extends SharedOptions, Required<StatsOptions> {
  /** The weighted scenarios (the options' map as entries, to cross a worker boundary). */
  mix: [ScenarioName, number][];
  endpoint: { hostname: string; port: number };
  host: string;
  basePath: string;
  symbols: string[];
  prices: [string, number][];
  seed: number;
}

/** Thread `index` of `of`. */
export interface Share {
  index: number;
  of: number;
}

/** `n` split into `of` parts as even as can be; part `index`. */
export function part(n: number, share: Share): number {
  return Math.floor(n / share.of) + (share.index < n % share.of ? 1 : 0);
}

/** How a thread's run went (times are epoch milliseconds, comparable across threads). */
export interface Outcome {
  startedAt: number;
  endedAt: number;
  /** When the last request ended (the start when none did). */
  lastDoneAt: number;
  /** First and last actual sends (-1 when none). */
  firstSentAt: number;
  lastSentAt: number;
  interrupted: boolean;
  abandonedInFlight: number;
  connections: { used: number; connects: number };
}

/** Hooks of {@link execute}. */
export interface Hooks {
  /** The runner, once built (to stop it, or to read its live figures). */
  onRunner?(runner: Runner): void;
  onResult?(seq: number, req: PlannedRequest, result: number | RequestError): void;
  /** Epoch milliseconds at which the clock starts (threads start together); default now. */
  startAtEpoch?: number;
}

const epoch = (t: number) => (t < 0 ? -1 : performance.timeOrigin + t);

/** Run one thread's share of `plan`, recording into `stats`. */
export async function execute(
  plan: Plan,
  share: Share,
  stats: Stats,
  hooks: Hooks = {},
): Promise<Outcome> {
  const factory = new RequestFactory({
    mix: new Map(plan.mix),
    symbols: plan.symbols,
    prices: new Map(plan.prices),
    invalidRatio: plan.invalidRatio,
    quantityMin: plan.quantityMin,
    quantityMax: plan.quantityMax,
    sides: plan.sides,
    // Each thread its own sequence, reproducible from the run's seed.
    rng: new Rng((plan.seed + share.index * 0x9e3779b9) >>> 0),
    host: plan.host,
    basePath: plan.basePath,
  });
  const runner = new Runner({
    endpoint: plan.endpoint,
    factory,
    stats,
    timeoutMs: plan.timeoutMs,
    onResult: hooks.onResult,
  });
  hooks.onRunner?.(runner);
  const startAt = hooks.startAtEpoch === undefined
    ? undefined
    : hooks.startAtEpoch - performance.timeOrigin;
  const requests = plan.requests === null ? undefined : part(plan.requests, share);
  const durationMs = plan.durationMs ?? undefined;
  if (plan.model === "open") {
    await runner.runOpen({
      shape: plan.shape!,
      stride: share.of,
      offset: share.index,
      durationMs,
      requests,
      maxInFlight: Math.max(1, part(plan.maxInFlight, share)),
      scheduler: plan.scheduler,
      lateThresholdMs: plan.lateThresholdMs,
      startAt,
    });
  } else {
    await runner.runClosed({
      concurrency: part(plan.concurrency!, share),
      durationMs,
      requests,
      startAt,
    });
  }
  const started = epoch(runner.startedAt);
  return {
    startedAt: started,
    endedAt: epoch(runner.endedAt),
    lastDoneAt: runner.lastDoneAt > 0 ? epoch(runner.lastDoneAt) : started,
    firstSentAt: epoch(runner.firstSentAt),
    lastSentAt: epoch(runner.lastSentAt),
    interrupted: runner.interrupted,
    abandonedInFlight: runner.abandonedInFlight,
    connections: runner.connections,
  };
}
