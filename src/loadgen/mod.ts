/**
 * The `loadgen` mode of tradewatch: `tradewatch --loadgen [options]` (see `options.ts` for the
 * flags). Exit status: 0 done, 99 a `--threshold` was violated, 2 bad options or unreachable
 * target, 130 interrupted.
 *
 * @module
 */
import process from "node:process";
import { VERSION } from "../version.ts";
import type { RequestError } from "./http_client.ts";
import { LoadgenMetrics, type MetricsServer, serveMetrics } from "./metrics.ts";
import { UsageError } from "../cli/mod.ts";
import { HELP, type LoadgenOptions, parseOptions } from "./options.ts";
import { checkWritable, OutputError, writeReportFile, writeStdout } from "./output.ts";
import { type LiveView, Progress } from "./progress.ts";
import { rateAt } from "./rate_shape.ts";
import {
  achievedRate,
  buildReport,
  configOf,
  formatSummary,
  type Report,
  thresholdFigures,
} from "./report.ts";
import { randomSeed } from "../rng.ts";
import type { Runner } from "./runner.ts";
import { mixNeedsSymbols, type PlannedRequest } from "./scenarios.ts";
import { execute, type Outcome, type Plan } from "./session.ts";
import { Stats } from "./stats.ts";
import { evaluateThresholds } from "./thresholds.ts";
import { fetchUniverse, resolveTarget, type Universe } from "./target.ts";
import { WorkerPool } from "./workers.ts";

/** Exit status when a threshold is violated (as k6). */
export const EXIT_THRESHOLD = 99;
/** Exit status of bad options or an unreachable target. */
export const EXIT_USAGE = 2;
/** Exit status after Ctrl-C. */
export const EXIT_INTERRUPTED = 130;
/** After Ctrl-C (or SIGTERM), the longest the run may take to stop before the process exits. */
const STOP_WITHIN_MS = 1000;

/** Run the loadgen mode with its command-line arguments; resolves to the exit code. */
export async function main(args: string[]): Promise<number> {
  let options: LoadgenOptions;
  try {
    const parsed = parseOptions(args);
    if (parsed.help) {
      console.log(HELP);
      return 0;
    }
    options = parsed.options;
  } catch (e) {
    return usageError(e);
  }
  try {
    const report = await run(options);
    if (!report.pass) return EXIT_THRESHOLD;
    return report.interrupted ? EXIT_INTERRUPTED : 0;
  } catch (e) {
    return usageError(e);
  }
}

function usageError(e: unknown): number {
  if (e instanceof UsageError) {
    console.error(`tradewatch --loadgen: ${e.message}`);
    console.error("Run 'tradewatch --loadgen --help' for the options.");
    return EXIT_USAGE;
  }
  if (e instanceof OutputError) {
    console.error(`tradewatch --loadgen: ${e.message}`);
    return EXIT_USAGE;
  }
  throw e;
}

/** How a caller of {@link run} controls it as a library (the game day). */
export interface RunControl {
  /** Stops the run when aborted (as Ctrl-C does). */
  signal?: AbortSignal;
  /** Print and write nothing; the caller reads the returned report. */
  quiet?: boolean;
}

/**
 * Run the load described by `options` (or merge reports, with `--merge`): resolve the target,
 * send, print the summary (and write the JSON and HTML reports), and return the report. Throws
 * {@link UsageError} for an unreachable target, {@link OutputError} when output fails.
 */
export async function run(options: LoadgenOptions, control: RunControl = {}): Promise<Report> {
  // Fail before the run, not after it, when a report cannot be written (an existing report is
  // left as it is until the new one is complete).
  if (options.json !== null && options.json !== "-") checkWritable(options.json, "the report");
  if (options.report !== null) checkWritable(options.report, "the HTML report");
  if (options.merge !== null) return await output(options, await mergeReports(options));
  const probeTimeout = Math.min(options.timeoutMs, 5000);
  const target = await resolveTarget(options.target, probeTimeout);
  let universe: Universe = { symbols: options.symbols ?? [], prices: new Map() };
  if (options.symbols === null && mixNeedsSymbols(options.mix)) {
    universe = await fetchUniverse(target, probeTimeout);
  }
  const seed = options.seed ?? randomSeed();
  const scenarioNames = [...options.mix].filter(([, w]) => w > 0).map(([n]) => n);
  const plan: Plan = {
    model: options.model,
    shape: options.shape,
    concurrency: options.concurrency,
    durationMs: options.durationMs,
    requests: options.requests,
    maxInFlight: options.maxInFlight,
    scheduler: options.scheduler,
    lateThresholdMs: options.lateThresholdMs,
    mix: [...options.mix],
    invalidRatio: options.invalidRatio,
    quantityMin: options.quantityMin,
    quantityMax: options.quantityMax,
    sides: options.sides,
    timeoutMs: options.timeoutMs,
    endpoint: target.endpoint,
    host: target.host,
    basePath: target.basePath,
    symbols: universe.symbols,
    prices: [...universe.prices],
    seed,
    perScenario: scenarioNames.length > 1,
    serviceTime: options.model === "open",
    intervalMs: timelineIntervalMs(options.durationMs),
  };
  const stats = new Stats(plan);

  // What the run is, live: this thread's runner, or the sum of the workers' figures.
  let runner: Runner | null = null;
  const pool = options.workers > 1 ? new WorkerPool(options.workers) : null;
  const view: LiveView & { late(): number } = pool?.view ?? {
    inFlight: () => runner?.inFlight ?? 0,
    backlog: () => runner?.backlog ?? 0,
    completed: () => stats.completed,
    failures: () => stats.failures,
    dropped: () => stats.dropped,
    late: () => stats.late,
    latencyAt: (p) =>
      stats.latency.totalCount === 0 ? NaN : stats.latency.getValueAtPercentile(p) / 1000,
  };
  const stop = () => (pool ? pool.stop() : runner?.stop());

  let metricsServer: MetricsServer | null = null;
  let metrics: LoadgenMetrics | null = null;
  let clockStart = Infinity;
  if (options.metricsPort !== null) {
    metrics = new LoadgenMetrics(scenarioNames, {
      dropped: () => view.dropped(),
      late: () => view.late(),
      targetRate: () =>
        options.shape === null
          ? null
          : performance.now() < clockStart
          ? 0
          : rateAt(options.shape, performance.now() - clockStart),
    });
    try {
      metricsServer = await serveMetrics(metrics, options.metricsHost, options.metricsPort);
    } catch (e) {
      throw new UsageError(
        `Cannot serve --metrics-port ${options.metricsPort} on ${options.metricsHost}: ${
          e instanceof Error ? e.message : e
        }`,
        "--metrics-port",
      );
    }
    console.error(
      `tradewatch --loadgen: metrics on http://${
        options.metricsHost.includes(":") ? `[${options.metricsHost}]` : options.metricsHost
      }:${metricsServer.port}/metrics`,
    );
    if (pool === null) stats.observer = metrics;
  }

  let outputError: OutputError | null = null;
  // With `--json -` stdout carries the JSON document: per-request lines go to stderr.
  const onResult = options.print
    ? printer((line) => {
      if (outputError !== null) return;
      try {
        if (options.json === "-") console.error(line);
        else writeStdout(line + "\n");
      } catch (e) {
        // stdout is full or gone: stop the run, and say so at the end.
        outputError = e instanceof OutputError ? e : new OutputError(String(e));
        stop();
      }
    })
    : undefined;

  // The first Ctrl-C stops the run and prints the partial summary; should anything keep the run
  // from stopping, the process exits anyway within a second.
  let failsafe: ReturnType<typeof setTimeout> | undefined;
  const onSignal = () => {
    stop();
    if (failsafe !== undefined) return;
    failsafe = setTimeout(() => {
      console.error(`tradewatch --loadgen: did not stop within ${STOP_WITHIN_MS} ms, exiting`);
      Deno.exit(EXIT_INTERRUPTED);
    }, STOP_WITHIN_MS);
    Deno.unrefTimer(failsafe);
  };
  const signals: Deno.Signal[] = Deno.build.os === "windows" ? ["SIGINT"] : ["SIGINT", "SIGTERM"];
  for (const s of signals) Deno.addSignalListener(s, onSignal);
  control.signal?.addEventListener("abort", stop, { once: true });
  const progress = options.progress ? new Progress(view, options.progressIntervalMs) : null;
  const startedAt = new Date();
  const cpu0 = process.cpuUsage();
  let outcomes: Outcome[];
  try {
    if (pool !== null) {
      const started = pool.run(plan, stats, { progress: progress !== null, observer: metrics });
      clockStart = performance.now();
      outcomes = await started;
      if (pool.leftOut > 0) {
        console.error(
          `tradewatch --loadgen: ${pool.leftOut} of ${pool.n} workers did not report soon ` +
            "enough after the stop; their figures are left out of the summary",
        );
      }
    } else {
      clockStart = performance.now();
      outcomes = [
        await execute(plan, { index: 0, of: 1 }, stats, {
          onRunner: (r) => {
            runner = r;
            if (control.signal?.aborted) r.stop();
          },
          onResult,
        }),
      ];
    }
  } finally {
    progress?.stop();
    clearTimeout(failsafe);
    await metricsServer?.close();
    if (outputError !== null) {
      for (const s of signals) Deno.removeSignalListener(s, onSignal);
    }
  }
  if (outputError !== null) throw outputError;
  const cpu = process.cpuUsage(cpu0);
  try {
    const first = Math.min(...outcomes.map((o) => o.startedAt));
    const interrupted = outcomes.some((o) => o.interrupted);
    const abandoned = outcomes.some((o) => o.abandonedInFlight > 0);
    const end = Math.max(
      ...outcomes.map((o) => (interrupted || abandoned ? o.endedAt : o.lastDoneAt)),
    );
    const sends = outcomes.filter((o) => o.firstSentAt >= 0);
    const elapsedMs = Math.max(0, end - first);
    const rate = achievedRate(stats, elapsedMs);
    const thresholds = evaluateThresholds(options.thresholds, thresholdFigures(stats, rate));
    const report = buildReport(stats, {
      version: VERSION,
      target: target.url,
      model: options.model,
      config: configOf(options, seed, universe.symbols),
      startedAt,
      elapsedMs,
      firstSentAt: sends.length ? Math.min(...sends.map((o) => o.firstSentAt)) : 0,
      lastSentAt: sends.length ? Math.max(...sends.map((o) => o.lastSentAt)) : 0,
      interrupted,
      connections: {
        used: outcomes.reduce((a, o) => a + o.connections.used, 0),
        connects: outcomes.reduce((a, o) => a + o.connections.connects, 0),
      },
      cpuSeconds: (cpu.user + cpu.system) / 1e6,
      thresholds,
    });
    return control.quiet ? report : await output(options, report);
  } finally {
    for (const s of signals) Deno.removeSignalListener(s, onSignal);
  }
}

/** Timeline intervals: 1 s, longer for long runs (at most about 600 points). */
function timelineIntervalMs(durationMs: number | null): number {
  if (durationMs === null || durationMs <= 600_000) return 1000;
  return Math.ceil(durationMs / 600 / 1000) * 1000;
}

/** Print the summary (or the JSON document) and write the reports. */
async function output(options: LoadgenOptions, report: Report): Promise<Report> {
  const json = JSON.stringify(report, null, 2) + "\n";
  if (options.json === "-") {
    writeStdout(json);
  } else {
    writeStdout((options.print ? "\n" : "") + formatSummary(report) + "\n");
    if (options.json !== null) writeReportFile(options.json, json, "the report");
  }
  if (options.report !== null) {
    const { renderHtmlReport } = await import("./html_report.ts");
    writeReportFile(options.report, await renderHtmlReport(report), "the HTML report");
  }
  return report;
}

/** `--merge`: combine `--json` reports into one, with exact percentiles. */
async function mergeReports(options: LoadgenOptions): Promise<Report> {
  const reports: { file: string; report: Report }[] = [];
  for (const file of options.merge!) {
    let data: unknown;
    try {
      data = JSON.parse(await Deno.readTextFile(file));
    } catch (e) {
      throw new UsageError(
        `Cannot read ${file}: ${e instanceof Error ? e.message : e}`,
        "--merge",
      );
    }
    const r = data as Report;
    if (r?.tool !== "tradewatch-loadgen" || typeof r.stats !== "object" || r.stats === null) {
      throw new UsageError(
        `${file} is not a tradewatch --loadgen --json report with stats (version 0.x reports ` +
          "before --merge lack them)",
        "--merge",
      );
    }
    reports.push({ file, report: r });
  }
  const intervals = new Set(reports.map((r) => r.report.stats.intervalMs));
  if (intervals.size > 1) {
    throw new UsageError(
      `The reports' timelines have different intervals (${[...intervals].join(", ")} ms)`,
      "--merge",
    );
  }
  const intervalMs = reports[0].report.stats.intervalMs;
  const starts = reports.map((r) => Date.parse(r.report.startedAt));
  const origin = Math.min(...starts);
  const names = new Set(reports.flatMap((r) => Object.keys(r.report.scenarios)));
  const stats = new Stats({
    perScenario: names.size > 1,
    serviceTime: reports.some((r) => r.report.stats.service !== null),
    intervalMs,
  });
  reports.forEach((r, i) => {
    stats.merge(r.report.stats, Math.round((starts[i] - origin) / intervalMs));
  });
  const end = Math.max(...reports.map((r, i) => starts[i] + r.report.elapsedSeconds * 1000));
  const elapsedMs = end - origin;
  const rate = achievedRate(stats, elapsedMs);
  const first = reports[0].report;
  const sum = (f: (r: Report) => number) => reports.reduce((a, r) => a + f(r.report), 0);
  const rates = reports.map((r) => r.report.config.rate);
  const models = new Set(reports.map((r) => r.report.model));
  const targets = new Set(reports.map((r) => r.report.target));
  return buildReport(stats, {
    version: VERSION,
    target: targets.size === 1 ? first.target : [...targets].join(" "),
    model: models.size === 1 ? first.model : "open",
    config: {
      ...first.config,
      rate: rates.every((x) => x !== null) ? sum((r) => r.config.rate!) : null,
      concurrency: first.config.concurrency === null ? null : sum((r) => r.config.concurrency ?? 0),
      requests: first.config.requests === null ? null : sum((r) => r.config.requests ?? 0),
      workers: sum((r) => r.config.workers ?? 1),
    },
    startedAt: new Date(origin),
    elapsedMs,
    // Sends spread over the merged span (the reports keep no send times).
    firstSentAt: 0,
    lastSentAt: elapsedMs * (stats.sent > 1 ? (stats.sent - 1) / stats.sent : 0),
    interrupted: reports.some((r) => r.report.interrupted),
    connections: {
      used: sum((r) => r.connections.used),
      connects: sum((r) => r.connections.connects),
    },
    cpuSeconds: sum((r) => r.client.cpuSeconds),
    thresholds: evaluateThresholds(options.thresholds, thresholdFigures(stats, rate)),
    merged: reports.map((r) => ({
      file: r.file,
      target: r.report.target,
      startedAt: r.report.startedAt,
      requests: r.report.requests.sent,
    })),
  });
}

function printer(
  write: (line: string) => void,
): (seq: number, req: PlannedRequest, result: number | RequestError) => void {
  return (seq, req, result) => {
    const outcome = typeof result === "number" ? String(result) : `error (${result.kind})`;
    if (req.scenario === "orders" || req.scenario === "limit") {
      write(`Order ${seq}: ${req.label} - ${outcome}`);
    } else {
      write(`${seq}: ${req.label} - ${outcome}`);
    }
  };
}
