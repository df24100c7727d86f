/**
 * Test helpers: the real tradewatch service on a free loopback port, and the loadgen CLI as a
 * child process.
 *
 * @module
 */

import assert from "node:assert/strict";
import { ORDER_STATUSES } from "../../src/metrics/labels.ts";
import { scrape, sumOf } from "../support/exposition.ts";
import { type CommandResult, runCommand } from "../support/command.ts";
import { startArgs, startChild } from "../support/service.ts";

/** A running tradewatch service (a child process). */
export interface Service {
  url: string;
  port: number;
  /** Stop the process (SIGTERM, then wait for it). */
  close(): Promise<void>;
}

/** Start `main.ts --port 0 --db :memory:` and wait for its "listening" log line. */
export async function startService(extra: string[] = []): Promise<Service> {
  const child = await startChild(["--db", ":memory:", ...extra]);
  return {
    url: child.base,
    port: child.port,
    async close() {
      await child.stop("SIGTERM");
    },
  };
}

/** Outcome of one loadgen CLI run. */
export type CliResult = CommandResult;

/** Run `main.ts --loadgen ...args` as `deno task start --loadgen` does, to completion. */
export function loadgen(args: string[]): Promise<CliResult> {
  return runCommand(Deno.execPath(), startArgs(["--loadgen", ...args]));
}

/**
 * Run the loadgen CLI against `target` with `args` and `--json -`, to completion: it must exit 0
 * (the assertion shows its stderr). Resolves with the run and the report parsed from its stdout.
 */
export async function loadgenReport(
  target: string,
  args: string[],
): Promise<{ run: CliResult; report: unknown }> {
  const run = await loadgen(["--target", target, ...args, "--json", "-"]);
  assert.equal(run.code, 0, run.stderr);
  return { run, report: JSON.parse(run.stdout) };
}

/** Start the loadgen CLI (as `deno task start --loadgen`) without waiting. */
export function spawnLoadgen(args: string[]): Deno.ChildProcess {
  return new Deno.Command(Deno.execPath(), {
    args: startArgs(["--loadgen", ...args]),
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
}

/** `order_count_total` samples of the service, summed by `status`. */
export async function orderCounts(url: string): Promise<Record<string, number>> {
  const exposition = await scrape(url);
  return Object.fromEntries(
    ORDER_STATUSES.map((status) => [status, sumOf(exposition, "order_count_total", { status })]),
  );
}

/** A loopback port with nothing listening on it. */
export function closedPort(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
}

/** A spawned loadgen whose output is collected as it comes. */
export interface Watched {
  child: Deno.ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves with the first line of stdout or stderr matching `re` (rejects at exit). */
  line(re: RegExp): Promise<string>;
  /** Wait for the exit; resolves with the code and the milliseconds since `since`. */
  exit(since: number): Promise<{ code: number; afterMs: number }>;
}

/** Spawn the loadgen CLI and watch its output (to act on observable events, not on sleeps). */
export function watchLoadgen(args: string[]): Watched {
  const child = spawnLoadgen(args);
  const text = { out: "", err: "" };
  const waiters: { re: RegExp; resolve: (l: string) => void; reject: (e: Error) => void }[] = [];
  let ended = false;
  const check = () => {
    const lines = (text.out + "\n" + text.err).split("\n");
    for (const w of [...waiters]) {
      const hit = lines.find((l) => w.re.test(l));
      if (hit !== undefined) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(hit);
      } else if (ended) {
        waiters.splice(waiters.indexOf(w), 1);
        w.reject(new Error(`exited without a line matching ${w.re}:\n${text.out}${text.err}`));
      }
    }
  };
  const pump = async (s: ReadableStream<Uint8Array>, key: "out" | "err") => {
    for await (const chunk of s.pipeThrough(new TextDecoderStream())) {
      text[key] += chunk;
      check();
    }
  };
  const pumps = Promise.all([pump(child.stdout, "out"), pump(child.stderr, "err")]);
  const status = child.status.then(async (s) => {
    await pumps;
    ended = true;
    check();
    return { code: s.code, at: performance.now() };
  });
  return {
    child,
    stdout: () => text.out,
    stderr: () => text.err,
    line: (re) =>
      new Promise((resolve, reject) => {
        waiters.push({ re, resolve, reject });
        check();
      }),
    exit: async (since) => {
      const s = await status;
      return { code: s.code, afterMs: s.at - since };
    },
  };
}

const BLACK_HOLE = `
const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
console.log(JSON.stringify({ port: l.addr.port }));
for await (const c of l) {
  (async () => {
    const buf = new Uint8Array(4096);
    try {
      while ((await c.read(buf)) !== null) { /* discard */ }
    } catch { /* reset */ }
    try {
      c.close();
    } catch { /* closed */ }
  })();
}`;

/**
 * A loopback server that accepts every connection and never answers a byte (it reads and
 * discards, and closes its side when the client closes). A process of its own, so that its
 * thousands of sockets do not slow the test's own event loop (and its measurements).
 */
export async function blackHole(): Promise<{ port: number; close(): Promise<void> }> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["eval", BLACK_HOLE],
    stdin: "null",
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  while (!/\n/.test(text)) {
    const { value, done } = await reader.read();
    if (done) throw new Error("the black hole exited before listening");
    text += value;
  }
  reader.releaseLock();
  child.stdout.cancel().catch(() => {});
  return {
    port: JSON.parse(text).port,
    close: async () => {
      child.kill("SIGKILL");
      await child.status;
    },
  };
}
