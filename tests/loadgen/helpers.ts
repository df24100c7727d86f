/**
 * Test helpers: the real tradewatch service on a free loopback port, and the loadgen CLI as a
 * child process.
 *
 * @module
 */

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
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-all",
      MAIN,
      "--port",
      "0",
      "--host",
      "127.0.0.1",
      "--db",
      ":memory:",
      ...extra,
    ],
    stdout: "piped",
    stderr: "null",
    stdin: "null",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let buffered = "";
  let port = 0;
  try {
    const deadline = setTimeout(() => child.kill("SIGKILL"), 30_000);
    try {
      while (port === 0) {
        const { value, done } = await reader.read();
        if (done) throw new Error("The service exited before listening");
        buffered += value;
        let nl: number;
        while ((nl = buffered.indexOf("\n")) >= 0) {
          const line = buffered.slice(0, nl);
          buffered = buffered.slice(nl + 1);
          try {
            const rec = JSON.parse(line);
            if (rec.msg === "listening" && typeof rec.port === "number") port = rec.port;
          } catch {
            // not a JSON log line
          }
        }
      }
    } finally {
      clearTimeout(deadline);
    }
  } catch (e) {
    child.kill("SIGKILL");
    await reader.cancel();
    await child.status;
    throw e;
  }
  // Keep draining stdout so the service never blocks on a full pipe.
  const drain = (async () => {
    try {
      while (!(await reader.read()).done) { /* discard */ }
    } catch { /* closed */ }
  })();
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    async close() {
      try {
        child.kill("SIGTERM");
      } catch { /* already gone */ }
      await child.status;
      await drain;
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
  const text = await (await fetch(`${url}/metrics`)).text();
  const sums: Record<string, number> = { filled: 0, cancelled: 0, rejected: 0, failed: 0 };
  for (const line of text.split("\n")) {
    const m = /^order_count_total\{([^}]*)\} (\S+)$/.exec(line);
    if (!m) continue;
    const status = /status="([^"]*)"/.exec(m[1])?.[1];
    if (status !== undefined) sums[status] = (sums[status] ?? 0) + Number(m[2]);
  }
  return sums;
}

/** A loopback port with nothing listening on it. */
export function closedPort(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
}
