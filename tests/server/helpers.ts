/**
 * Test helpers of the server area: the real service started as a child process (`deno run
 * main.ts`) or in-process (real `Deno.serve` on 127.0.0.1 port 0), and a Prometheus text parser
 * for assertions.
 *
 * @module
 */
import { type Config, parseConfig } from "../../src/config.ts";
import { type RunningServer, startServer } from "../../src/server/mod.ts";
import { createLogger } from "../../src/server/logger.ts";
import { defaultTradingConfig } from "../../src/trading/service.ts";

/** The repository root. */
export const ROOT: string = new URL("../..", import.meta.url).pathname;

/** A tradewatch child process. */
export interface Child {
  proc: Deno.ChildProcess;
  port: number;
  base: string;
  /** Everything written to stdout and stderr so far. */
  output(): string;
  /** Send a signal (default SIGKILL) and wait for the exit status. */
  stop(signal?: Deno.Signal): Promise<Deno.CommandStatus>;
}

/** Collects a stream's text in the background until it ends. */
function collect(stream: ReadableStream<Uint8Array>, sink: { text: string }): Promise<void> {
  return (async () => {
    const decoder = new TextDecoder();
    for await (const chunk of stream) {
      if (sink.text.length < 4_000_000) sink.text += decoder.decode(chunk, { stream: true });
    }
  })().catch(() => {});
}

/** Run `deno run main.ts ARGS` and wait for it to exit (for config errors, --help). */
export async function runMain(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-all", "main.ts", ...args],
    cwd: ROOT,
    env,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const d = new TextDecoder();
  return { code: out.code, stdout: d.decode(out.stdout), stderr: d.decode(out.stderr) };
}

/**
 * Start `deno run main.ts --host 127.0.0.1 --port 0 ARGS` and wait for its `listening` line.
 * Always call `stop()` in `finally`.
 */
export async function startChild(args: string[], timeoutMs = 30_000): Promise<Child> {
  const proc = new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-all", "main.ts", "--host", "127.0.0.1", "--port", "0", ...args],
    cwd: ROOT,
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const out = { text: "" };
  const err = { text: "" };
  const readers = [collect(proc.stdout, out), collect(proc.stderr, err)];
  let status: Deno.CommandStatus | null = null;
  const exited = proc.status.then((s) => (status = s));
  const stop = async (signal: Deno.Signal = "SIGKILL") => {
    if (status === null) {
      try {
        proc.kill(signal);
      } catch { /* already gone */ }
    }
    const s = await exited;
    await Promise.all(readers);
    return s;
  };
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const line = out.text.split("\n").find((l) => l.includes('"msg":"listening"'));
    if (line) {
      const port = JSON.parse(line).port as number;
      return {
        proc,
        port,
        base: `http://127.0.0.1:${port}`,
        output: () => out.text + err.text,
        stop,
      };
    }
    if (status !== null) break;
    await new Promise((r) => setTimeout(r, 25));
  }
  await stop();
  throw new Error(`tradewatch did not start:\n${out.text}\n${err.text}`);
}

/** An in-process server on 127.0.0.1 port 0 with a :memory: database. */
export async function startInProcess(
  args: string[] = [],
): Promise<RunningServer & { base: string }> {
  const config: Config = parseConfig(
    ["--host", "127.0.0.1", "--port", "0", "--db", ":memory:", ...args],
    defaultTradingConfig(),
    () => undefined,
  );
  const running = await startServer(config, createLogger("silent"));
  return { ...running, base: `http://127.0.0.1:${running.addr.port}` };
}

/** One sample of a Prometheus text exposition. */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** A parsed Prometheus text (or OpenMetrics) exposition. */
export interface Exposition {
  samples: Sample[];
  types: Map<string, string>;
  help: Map<string, string>;
}

/** Parse a Prometheus text/OpenMetrics exposition (enough for these tests' assertions). */
export function parseExposition(text: string): Exposition {
  const samples: Sample[] = [];
  const types = new Map<string, string>();
  const help = new Map<string, string>();
  for (const line of text.split("\n")) {
    if (line === "" || line === "# EOF") continue;
    let m = /^# TYPE (\S+) (\S+)$/.exec(line);
    if (m) {
      types.set(m[1], m[2]);
      continue;
    }
    m = /^# HELP (\S+) (.*)$/.exec(line);
    if (m) {
      help.set(m[1], m[2]);
      continue;
    }
    m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m) throw new Error(`unparsable exposition line: ${line}`);
    const labels: Record<string, string> = {};
    for (const lm of (m[2] ?? "").matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) {
      labels[lm[1]] = lm[2];
    }
    samples.push({ name: m[1], labels, value: Number(m[3]) });
  }
  return { samples, types, help };
}

/** A stable key of a series: name plus sorted labels. */
export function seriesKey(s: Sample): string {
  const labels = Object.keys(s.labels).sort().map((k) => `${k}=${s.labels[k]}`).join(",");
  return `${s.name}{${labels}}`;
}

/** Fetch and parse /metrics (text format). */
export async function scrape(base: string, headers: HeadersInit = {}): Promise<Exposition> {
  const res = await fetch(`${base}/metrics`, { headers });
  if (res.status !== 200) throw new Error(`scrape answered ${res.status}`);
  return parseExposition(await res.text());
}

/** Sum of the values of the samples with this name whose labels include `match`. */
export function sumOf(e: Exposition, name: string, match: Record<string, string> = {}): number {
  return e.samples
    .filter((s) => s.name === name && Object.entries(match).every(([k, v]) => s.labels[k] === v))
    .reduce((a, s) => a + s.value, 0);
}
