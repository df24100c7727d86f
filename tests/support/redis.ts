/**
 * A private Redis for tests: `redis-server` on a free port of 127.0.0.1 in a temp dir, no
 * persistence, stopped by its PID. `startRedis()` answers null, after printing why, where no
 * server can start (tests then skip with that visible message).
 *
 * @module
 */

import { freePort } from "./ports.ts";

/** A running private Redis. */
export interface PrivateRedis {
  port: number;
  /** `redis://127.0.0.1:PORT` */
  url: string;
  pid(): number;
  /** Runs one redis-cli command; answers its output. */
  cli(...args: string[]): Promise<string>;
  /** `INFO stats` keyspace_hits and keyspace_misses. */
  stats(): Promise<{ hits: number; misses: number }>;
  /** SIGKILL, waiting until the port is closed. */
  stop(): Promise<void>;
  /** Starts again on the same port. */
  start(): Promise<void>;
  /** Stops and removes the temp dir. */
  destroy(): Promise<void>;
}

async function reachable(port: number): Promise<boolean> {
  try {
    const c = await Deno.connect({ hostname: "127.0.0.1", port });
    c.close();
    return true;
  } catch {
    return false;
  }
}

/** Starts a private Redis, or answers null (with a printed reason). */
export async function startRedis(): Promise<PrivateRedis | null> {
  const dir = await Deno.makeTempDir({ prefix: "tradewatch-redis-" });
  const port = await freePort();
  let child: Deno.ChildProcess | null = null;
  let log = "";
  const start = async () => {
    child = new Deno.Command("redis-server", {
      args: [
        "--port",
        String(port),
        "--bind",
        "127.0.0.1",
        "--save",
        "",
        "--appendonly",
        "no",
        "--dir",
        dir,
      ],
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const c = child;
    (async () => {
      const d = new TextDecoder();
      for await (const chunk of c.stdout) log += d.decode(chunk);
    })().catch(() => {});
    c.stderr.cancel().catch(() => {});
    let exited = false;
    c.status.then(() => (exited = true));
    const deadline = Date.now() + 10_000;
    while (!(await reachable(port))) {
      if (exited || Date.now() > deadline) throw new Error(`redis-server did not start: ${log}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  const stop = async () => {
    const c = child as Deno.ChildProcess | null;
    if (c === null) return;
    child = null;
    try {
      c.kill("SIGKILL");
    } catch { /* gone */ }
    await c.status;
  };
  try {
    await start();
  } catch (error) {
    await stop();
    await Deno.remove(dir, { recursive: true }).catch(() => {});
    console.warn(
      `SKIP Redis tests: ${
        error instanceof Deno.errors.NotFound
          ? "no redis-server (apt-get install redis-server)"
          : error
      }`,
    );
    return null;
  }
  const cli = async (...args: string[]) => {
    const r = await new Deno.Command("redis-cli", {
      args: ["-p", String(port), ...args],
      stdout: "piped",
    })
      .output();
    return new TextDecoder().decode(r.stdout).trim();
  };
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    pid: () => (child as Deno.ChildProcess | null)?.pid ?? 0,
    cli,
    stats: async () => {
      const info = await cli("INFO", "stats");
      const num = (k: string) => Number(info.match(new RegExp(`${k}:(\\d+)`))?.[1] ?? NaN);
      return { hits: num("keyspace_hits"), misses: num("keyspace_misses") };
    },
    stop,
    start,
    destroy: async () => {
      await stop();
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    },
  };
}
