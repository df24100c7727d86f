/**
 * Test helpers: the real tradewatch service on a free loopback port, and the loadgen CLI as a
 * child process.
 *
 * @module
 */

import { ORDER_STATUSES } from "../../src/metrics/labels.ts";
import { scrape, sumOf } from "../support/exposition.ts";
import { startChild } from "../support/service.ts";

const MAIN = new URL("../../main.ts", import.meta.url).pathname;

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
export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Run `main.ts --loadgen ...args` to completion. */
export async function loadgen(args: string[]): Promise<CliResult> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-all", MAIN, "--loadgen", ...args],
    stdin: "null",
  }).output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

/** Start the loadgen CLI without waiting (for the Ctrl-C test). */
export function spawnLoadgen(args: string[]): Deno.ChildProcess {
  return new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-all", MAIN, "--loadgen", ...args],
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
