/**
 * `tradewatch --loadgen --game-day ALERT|all`: make alerts fire on demand through the admin API's
 * run-time faults and the load generator, watch them in Prometheus (and Alertmanager), clear the
 * faults and watch them resolve; print one timeline per alert. Exit status: 0 when every step of
 * every alert happened within its time limit, 1 otherwise, 2 bad options, 130 interrupted.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { ALERT_FAULTS } from "../../configs/alert_faults.ts";
import { formatMs, parseDuration } from "../duration.ts";
import { fetchUniverse, resolveTarget } from "../loadgen/target.ts";
import { UsageError } from "../cli/mod.ts";
import { type GameDayContext, runGameDay, type Timeline } from "./driver.ts";
import { type GameDayTable, schedule } from "./plan.ts";

/** The `--loadgen --game-day --help` text. */
export const HELP = `tradewatch --loadgen --game-day: make alerts fire on demand, and resolve

Usage: tradewatch --loadgen --game-day ALERT|all [options]

For ALERT (a name of configs/alert_rules.yml) it sets the run-time faults of its entry in
configs/alert_faults.ts through the target's admin API and drives the entry's traffic, watches
Prometheus until the alert is pending and then firing (and Alertmanager until it received it),
clears the faults, waits until the alert resolved, and prints the timeline. 'all' runs every
entry: lanes side by side, 'alone' entries by themselves.

Options:
  -t, --target URL          the service, started with --admin-token
                            (default http://localhost:8000)
  --prometheus-url URL      Prometheus evaluating configs/alert_rules.yml
                            (default http://localhost:9090)
  --alertmanager-url URL    also wait until Alertmanager received the alert
  --admin-token TOKEN       the service's admin token (default: TRADEWATCH_ADMIN_TOKEN)
  --hold D                  keep the faults D longer once the alert fired (and Alertmanager
                            received it), e.g. its group_wait, so that receivers are notified
  --time-limit D            every step within D of the faults (default: the alert's for, twice
                            the longest rule window, six evaluation intervals, 30s and the hold)
  --json FILE               write the timelines as JSON ('-': print them instead of the text)
  -h, --help                this help

Exit status: 0 every step of every alert in time, 1 otherwise, 2 bad options, 130 interrupted.`;

const SPEC = {
  "game-day": { type: "string" },
  target: { type: "string", short: "t" },
  "prometheus-url": { type: "string" },
  "alertmanager-url": { type: "string" },
  "admin-token": { type: "string" },
  "time-limit": { type: "string" },
  hold: { type: "string" },
  json: { type: "string" },
  help: { type: "boolean", short: "h" },
} as const;

/** The validated options of a game day (where to run as the driver takes it, and what). */
export interface GameDayOptions extends
  Pick<
    GameDayContext,
    "target" | "prometheusUrl" | "alertmanagerUrl" | "adminToken" | "timeLimitMs"
  > {
  alerts: string[];
  /** Alerts `all` leaves out, with the table's reason. */
  skipped: { alert: string; reason: string }[];
  holdMs: number;
  json: string | null;
}

function httpUrl(flag: string, text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UsageError(`${flag} must be an http:// URL`, flag);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new UsageError(`${flag} must be an http:// URL`, flag);
  }
  return text.replace(/\/+$/, "");
}

/** Parse `--game-day` arguments (the `--loadgen` mode flag already removed). */
export function parseGameDayOptions(
  args: string[],
  table: GameDayTable = ALERT_FAULTS,
  env: (name: string) => string | undefined = (n) => Deno.env.get(n),
): GameDayOptions | null {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({ args, options: SPEC, strict: true, allowPositionals: false }));
  } catch (e) {
    const msg = e instanceof Error ? e.message.split("\n")[0] : String(e);
    throw new UsageError(`${msg} (--game-day takes only the options of --game-day --help)`, "");
  }
  if (values.help) return null;
  const name = String(values["game-day"] ?? "");
  const known = Object.keys(table);
  if (name !== "all" && !known.includes(name)) {
    throw new UsageError(
      `--game-day must be one of ${known.join(", ")} or all, not ${JSON.stringify(name)}`,
      "--game-day",
    );
  }
  let timeLimitMs: number | null = null;
  if (values["time-limit"] !== undefined) {
    timeLimitMs = parseDuration(String(values["time-limit"]));
    if (timeLimitMs === null || timeLimitMs <= 0) {
      throw new UsageError("--time-limit must be a duration such as 90s or 20m", "--time-limit");
    }
  }
  let holdMs = 0;
  if (values.hold !== undefined) {
    const d = parseDuration(String(values.hold));
    if (d === null || d < 0) {
      throw new UsageError("--hold must be a duration such as 30s", "--hold");
    }
    holdMs = d;
  }
  const token = (values["admin-token"] as string | undefined) ?? env("TRADEWATCH_ADMIN_TOKEN");
  if (token === "") throw new UsageError("--admin-token is empty", "--admin-token");
  const skipped = name === "all"
    ? known.filter((a) => table[a].skip).map((a) => ({ alert: a, reason: table[a].skip! }))
    : [];
  return {
    alerts: name === "all" ? known.filter((a) => !table[a].skip) : [name],
    skipped,
    target: httpUrl("--target", String(values.target ?? "http://localhost:8000")),
    prometheusUrl: httpUrl(
      "--prometheus-url",
      String(values["prometheus-url"] ?? "http://localhost:9090"),
    ),
    alertmanagerUrl: values["alertmanager-url"] === undefined
      ? null
      : httpUrl("--alertmanager-url", String(values["alertmanager-url"])),
    adminToken: token ?? null,
    timeLimitMs,
    holdMs,
    json: (values.json as string | undefined) ?? null,
  };
}

/** The timeline as text: one line per step, then the verdict. */
export function formatTimeline(t: Timeline): string {
  const lines = [`game day ${t.alert}: ${t.summary}`];
  for (const s of t.steps) {
    lines.push(`  +${(s.atMs / 1000).toFixed(1).padStart(6)}s  ${s.step.padEnd(9)}  ${s.detail}`);
  }
  const fire = t.timeToFireMs === null ? "" : `; fired in ${formatMs(t.timeToFireMs)}`;
  const resolve = t.timeToResolveMs === null
    ? ""
    : `, resolved ${formatMs(t.timeToResolveMs)} after the clear`;
  lines.push(
    t.ok
      ? `  ok: every step within ${formatMs(t.limitMs)}${fire}${resolve}`
      : `  FAILED: ${t.error}${fire}`,
  );
  return lines.join("\n");
}

/** Run the game days of `options`; resolves with their timelines in table order. */
export async function runGameDays(
  options: GameDayOptions,
  signal: AbortSignal,
  onTimeline: (t: Timeline) => void = () => {},
  table: GameDayTable = ALERT_FAULTS,
): Promise<Timeline[]> {
  const target = await resolveTarget(options.target, 5000);
  const universe = await fetchUniverse(target, 5000);
  const ctx: GameDayContext = {
    target: options.target,
    prometheusUrl: options.prometheusUrl,
    alertmanagerUrl: options.alertmanagerUrl,
    adminToken: options.adminToken,
    timeLimitMs: options.timeLimitMs,
    holdMs: options.holdMs,
    symbols: universe.symbols,
    signal,
  };
  const results = new Map<string, Timeline>();
  for (const phase of schedule(table, options.alerts)) {
    await Promise.all(phase.map(async (lane) => {
      for (const alert of lane) {
        const t = await runGameDay(alert, table[alert], ctx);
        results.set(alert, t);
        onTimeline(t);
      }
    }));
  }
  return options.alerts.map((a) => results.get(a)!);
}

/** Run the game-day mode; resolves to the exit code. */
export async function main(args: string[]): Promise<number> {
  let options: GameDayOptions | null;
  try {
    options = parseGameDayOptions(args);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    console.error(`tradewatch --loadgen --game-day: ${e.message}`);
    console.error("Run 'tradewatch --loadgen --game-day x --help' for the options.");
    return 2;
  }
  if (options === null) {
    console.log(HELP);
    return 0;
  }
  const abort = new AbortController();
  const onSignal = () => abort.abort();
  Deno.addSignalListener("SIGINT", onSignal);
  const text = options.json !== "-";
  let timelines: Timeline[];
  try {
    timelines = await runGameDays(options, abort.signal, (t) => {
      if (text) console.log(formatTimeline(t) + "\n");
    });
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    console.error(`tradewatch --loadgen --game-day: ${e.message}`);
    return 2;
  } finally {
    Deno.removeSignalListener("SIGINT", onSignal);
  }
  if (text) {
    for (const s of options.skipped) console.log(`game day ${s.alert}: skipped: ${s.reason}\n`);
  }
  const json = JSON.stringify({ timelines, skipped: options.skipped }, null, 2);
  if (options.json === "-") console.log(json);
  else if (options.json !== null) await Deno.writeTextFile(options.json, json + "\n");
  const failed = timelines.filter((t) => !t.ok);
  if (text && timelines.length > 1) {
    console.log(
      failed.length
        ? `${failed.length} of ${timelines.length} game days failed: ${
          failed.map((t) => t.alert).join(", ")
        }`
        : `all ${timelines.length} game days passed`,
    );
  }
  if (abort.signal.aborted) return 130;
  return failed.length ? 1 : 0;
}
