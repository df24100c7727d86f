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
import { OptionError } from "./option_error.ts";
import { checkWritable, OutputError, writeReportFile, writeStdout } from "./output.ts";
import { HELP, type LoadgenOptions, parseOptions } from "./options.ts";
import { Progress } from "./progress.ts";
import {
  achievedRate,
  buildReport,
  formatSummary,
  type Report,
  thresholdFigures,
} from "./report.ts";
import { randomSeed, Rng } from "../rng.ts";
import { Runner } from "./runner.ts";
import { mixNeedsSymbols, type PlannedRequest, RequestFactory } from "./scenarios.ts";
import { Stats } from "./stats.ts";
import { evaluateThresholds } from "./thresholds.ts";
import { fetchUniverse, resolveTarget, type Universe } from "./target.ts";

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
  if (e instanceof OptionError) {
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

/**
 * Run the load described by `options`: resolve the target, send, print the summary (and the
 * JSON report), and return the report. Throws {@link OptionError} for an unreachable target.
 */
export async function run(options: LoadgenOptions): Promise<Report> {
  // Fail before the run, not after it, when the report cannot be written (an existing report
  // is left as it is until the new one is complete).
  if (options.json !== null && options.json !== "-") checkWritable(options.json, "the report");
  const probeTimeout = Math.min(options.timeoutMs, 5000);
  const target = await resolveTarget(options.target, probeTimeout);
  let universe: Universe = { symbols: options.symbols ?? [], prices: new Map() };
  if (options.symbols === null && mixNeedsSymbols(options.mix)) {
    universe = await fetchUniverse(target, probeTimeout);
  }
  const seed = options.seed ?? randomSeed();
  const scenarios = [...options.mix.values()].filter((w) => w > 0).length;
  const stats = new Stats({ perScenario: scenarios > 1, serviceTime: options.model === "open" });
  const factory = new RequestFactory({
    mix: options.mix,
    symbols: universe.symbols,
    prices: universe.prices,
    invalidRatio: options.invalidRatio,
    quantityMin: options.quantityMin,
    quantityMax: options.quantityMax,
    sides: options.sides,
    rng: new Rng(seed),
    host: target.host,
    basePath: target.basePath,
  });
  let outputError: OutputError | null = null;
  const runner: Runner = new Runner({
    endpoint: target.endpoint,
    factory,
    stats,
    timeoutMs: options.timeoutMs,
    // With `--json -` stdout carries the JSON document: per-request lines go to stderr.
    onResult: options.print
      ? printer((line) => {
        if (outputError !== null) return;
        try {
          if (options.json === "-") console.error(line);
          else writeStdout(line + "\n");
        } catch (e) {
          // stdout is full or gone: stop the run, and say so at the end.
          outputError = e instanceof OutputError ? e : new OutputError(String(e));
          runner.stop();
        }
      })
      : undefined,
  });

  // The first Ctrl-C stops the run and prints the partial summary; should anything keep the run
  // from stopping, the process exits anyway within a second.
  let failsafe: ReturnType<typeof setTimeout> | undefined;
  const onSignal = () => {
    runner.stop();
    if (failsafe !== undefined) return;
    failsafe = setTimeout(() => {
      console.error(`tradewatch --loadgen: did not stop within ${STOP_WITHIN_MS} ms, exiting`);
      Deno.exit(EXIT_INTERRUPTED);
    }, STOP_WITHIN_MS);
    Deno.unrefTimer(failsafe);
  };
  const signals: Deno.Signal[] = Deno.build.os === "windows" ? ["SIGINT"] : ["SIGINT", "SIGTERM"];
  for (const s of signals) Deno.addSignalListener(s, onSignal);
  const progress = options.progress
    ? new Progress(stats, runner, options.progressIntervalMs)
    : null;
  const startedAt = new Date();
  const cpu0 = process.cpuUsage();
  try {
    if (options.model === "open") {
      await runner.runOpen({
        shape: options.shape!,
        durationMs: options.durationMs ?? undefined,
        requests: options.requests ?? undefined,
        maxInFlight: options.maxInFlight,
        scheduler: options.scheduler,
        lateThresholdMs: options.lateThresholdMs,
      });
    } else {
      await runner.runClosed({
        concurrency: options.concurrency!,
        durationMs: options.durationMs ?? undefined,
        requests: options.requests ?? undefined,
      });
    }
  } finally {
    progress?.stop();
    clearTimeout(failsafe);
  }
  if (outputError !== null) throw outputError;
  const cpu = process.cpuUsage(cpu0);
  const end = runner.interrupted || runner.abandonedInFlight > 0
    ? runner.endedAt
    : Math.max(runner.lastDoneAt, runner.startedAt);
  const elapsedMs = end - runner.startedAt;
  const rate = achievedRate(stats, elapsedMs);
  const thresholds = evaluateThresholds(options.thresholds, thresholdFigures(stats, rate));
  const report = buildReport(stats, {
    version: VERSION,
    target: target.url,
    options,
    seed,
    symbols: universe.symbols,
    startedAt,
    elapsedMs,
    firstSentAt: runner.firstSentAt,
    lastSentAt: runner.lastSentAt,
    interrupted: runner.interrupted,
    connections: runner.connections,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    thresholds,
  });
  try {
    const json = JSON.stringify(report, null, 2) + "\n";
    if (options.json === "-") {
      writeStdout(json);
    } else {
      writeStdout((options.print ? "\n" : "") + formatSummary(report) + "\n");
      if (options.json !== null) writeReportFile(options.json, json, "the report");
    }
  } finally {
    for (const s of signals) Deno.removeSignalListener(s, onSignal);
  }
  return report;
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
