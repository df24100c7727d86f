/**
 * Benchmarks of the server area, each goal a side-by-side ratio measured in one run. Every server
 * is a child process started with the flags and permissions of `deno task start`; only one is
 * under load at a time, in interleaved rounds whose order rotates, so that noise from the rest of
 * the machine hits all of them alike. Ratios are taken per round (paired) and the median of the
 * rounds is reported; absolute figures are medians of the rounds too:
 *
 * - POST /orders, a realistic mix first (quantities 1-100, a fifth of them limit orders of which
 *   some are not marketable and are cancelled, JSON bodies and query strings, risk rejections
 *   for oversized orders), against the honest anchor: a bare `Deno.serve` handler doing the same
 *   durable insert through the same store and group commit (`bare_orders.ts`), so the ratio is
 *   what the engine, validation and metrics cost on top of the write;
 * - POST /orders, the quantity-1 fast path (limits at 1e9, nothing is ever rejected), against
 *   the same anchor (goal >= 0.3x, as for the mix), its p99 (goal < 20 ms) and errors (goal 0),
 *   and metrics on vs off (goal >= 0.95x);
 * - GET /health: the service (metrics on) vs a bare `Deno.serve` answering "ok" (goal >= 0.8x);
 *   /health reads the store's write state (no I/O);
 * - instrumentation overhead: GET /health with metrics vs `--no-metrics` (goal >= 0.95x);
 * - the connection front (`--idle-timeout`, `--header-timeout`: tradewatch relays connections
 *   to Deno.serve itself, `src/server/front.ts`) vs the same service without it, GET /health and
 *   POST /orders (no goal: the price of the deadlines, reported so the README can state it);
 * - scrape time of 10,000 series (goal <= 25 ms) and of the default universe (goal < 5 ms),
 *   measured over HTTP against live services;
 * - start-up of the default service to listening and its idle resident memory, against a bare
 *   `Deno.serve` started the same way (no goal: reported so the README can state them).
 *
 * Driven by `wrk -t2 -c50` (the machine has 2 cores).
 *
 * @module
 */
import { join } from "node:path";
import { START_FLAGS } from "../tests/support/service.ts";
import type { BenchRow } from "./table.ts";

const ROOT = new URL("..", import.meta.url).pathname;
const DURATION_S = Number(Deno.env.get("BENCH_SERVER_SECONDS") ?? 4);
const ROUNDS = Number(Deno.env.get("BENCH_SERVER_ROUNDS") ?? 3);

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/**
 * Drive each target once per round, rotating the order every round; returns per-target results
 * by round. Ratios are then taken per round (paired) and their median reported, so that slow
 * drifts of the machine's load cancel out.
 */
export async function rounds(
  targets: readonly { name: string; url: string; script?: string }[],
  n: number,
): Promise<Map<string, WrkResult[]>> {
  const out = new Map<string, WrkResult[]>(targets.map((t) => [t.name, []]));
  for (let r = 0; r < n; r++) {
    for (let k = 0; k < targets.length; k++) {
      const t = targets[(k + r) % targets.length];
      out.get(t.name)!.push(await wrk(t.url, DURATION_S, t.script));
    }
  }
  return out;
}

export function pairedRatio(a: WrkResult[], b: WrkResult[]): number {
  return median(a.map((x, i) => x.rps / b[i].rps));
}

export interface Server {
  name: string;
  base: string;
  pid: number;
  /** Milliseconds from spawn to the line that gives the port (listening). */
  startMs: number;
  stop(): Promise<void>;
}

async function drain(stream: ReadableStream<Uint8Array>, onText: (t: string) => void) {
  const d = new TextDecoder();
  try {
    for await (const chunk of stream) onText(d.decode(chunk, { stream: true }));
  } catch { /* closed */ }
}

/** Start a child that prints a JSON line with `port` once listening; keep draining its output. */
export async function startChild(name: string, args: string[]): Promise<Server> {
  const t0 = performance.now();
  const proc = new Deno.Command(Deno.execPath(), {
    args,
    cwd: ROOT,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let out = "";
  let err = "";
  let port = 0;
  const readers = [
    drain(proc.stdout, (t) => {
      if (!port) {
        out += t;
        const line = out.split("\n").find((l) => l.includes('"port"'));
        if (line) port = JSON.parse(line).port;
      }
    }),
    drain(proc.stderr, (t) => (err = (err + t).slice(-4000))),
  ];
  const deadline = Date.now() + 30_000;
  while (!port && Date.now() < deadline) await new Promise((r) => setTimeout(r, 2));
  const startMs = performance.now() - t0;
  const stop = async () => {
    try {
      proc.kill("SIGTERM");
    } catch { /* gone */ }
    await proc.status;
    await Promise.all(readers);
  };
  if (!port) {
    await stop();
    throw new Error(`${name} did not start: ${out}\n${err}`);
  }
  return { name, base: `http://127.0.0.1:${port}`, pid: proc.pid, startMs, stop };
}

/** Resident memory of a process in MB (Linux `/proc`). */
async function rssMb(pid: number): Promise<number> {
  const status = await Deno.readTextFile(`/proc/${pid}/status`);
  return Number(/VmRSS:\s+(\d+)/.exec(status)![1]) / 1024;
}

/**
 * Start-up of the service on the default adapters (SQLite, memory cache, metrics on; the bench's
 * venue latency and limits) to listening, and its resident memory after a second idle, against a
 * bare `Deno.serve` under the same V8 flags; alternated `n` times, medians. Both are warm starts
 * (DENO_DIR and the page cache hold the code), measured while the bench's other servers idle.
 */
async function startupRows(dbDir: string, n = 5): Promise<BenchRow[]> {
  const svc = { ms: [] as number[], mb: [] as number[] };
  const bare = { ms: [] as number[], mb: [] as number[] };
  for (let i = 0; i < n; i++) {
    for (
      const [into, start] of [
        [svc, () => service(`startup-${i}`, dbDir)],
        [bare, () => startChild("bare", ["eval", ...V8_FLAGS, BARE_SERVER])],
      ] as const
    ) {
      const s = await start();
      try {
        await new Promise((r) => setTimeout(r, 1000));
        into.ms.push(s.startMs);
        into.mb.push(await rssMb(s.pid));
      } finally {
        await s.stop();
      }
    }
  }
  const row = (name: string, unit: string, a: number[], b: number[]): BenchRow => ({
    area: "server",
    name,
    value: median(a),
    unit,
    anchor: { name: "bare Deno.serve", value: median(b) },
    ratio: median(a) / median(b),
  });
  return [
    row("start-up to listening (SQLite, memory cache)", "ms", svc.ms, bare.ms),
    row("resident memory, idle after start-up", "MB", svc.mb, bare.mb),
  ];
}

/** The V8 flags of `deno task start`, for anchors that compare memory. */
const V8_FLAGS = START_FLAGS.filter((f) => f.startsWith("--v8-flags"));

const BARE_SERVER = `Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: (a) =>
  console.log(JSON.stringify({ port: a.port })) }, () => new Response("ok"));
Deno.addSignalListener("SIGTERM", () => Deno.exit(0));`;

/** The durable-insert anchor (`bare_orders.ts`) on its own database file. */
function bareOrders(dbDir: string): Promise<Server> {
  return startChild("bare-orders", [
    "run",
    ...START_FLAGS,
    "bench/bare_orders.ts",
    join(dbDir, "bare_orders.db"),
  ]);
}

export function service(
  name: string,
  dbDir: string,
  extra: string[] = [],
  symbols?: string,
): Promise<Server> {
  return startChild(name, [
    "run",
    ...START_FLAGS,
    "main.ts",
    "--host",
    "127.0.0.1",
    "--port",
    "0",
    "--db",
    join(dbDir, `${name.replace(/\W+/g, "_")}.db`),
    "--venue-latency",
    "0",
    ...(name.startsWith("realistic") ? [] : [
      "--max-position",
      "1000000000",
      "--max-notional",
      "1000000000",
    ]),
    ...(symbols ? ["--symbols", symbols] : []),
    ...extra,
  ]);
}

export interface WrkResult {
  rps: number;
  p99ms: number;
  errors: number;
  requests: number;
}

function toMs(v: string, unit: string): number {
  const n = Number(v);
  return unit === "us" ? n / 1000 : unit === "s" ? n * 1000 : unit === "m" ? n * 60_000 : n;
}

export async function wrk(
  url: string,
  seconds: number,
  script?: string,
  connections = 50,
): Promise<WrkResult> {
  const args = [
    "-t2",
    `-c${connections}`,
    `-d${seconds}s`,
    "--latency",
    ...(script ? ["-s", script] : []),
    url,
  ];
  const out = await new Deno.Command("wrk", { args, stdout: "piped", stderr: "piped" }).output();
  const text = new TextDecoder().decode(out.stdout);
  if (!out.success) throw new Error(`wrk failed: ${new TextDecoder().decode(out.stderr)}`);
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(text)?.[1] ?? NaN);
  const p99 = /^\s+99%\s+([\d.]+)(us|ms|s|m)\s*$/m.exec(text);
  const non2xx = Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(text)?.[1] ?? 0);
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(text);
  const socketErrors = socket ? socket.slice(1).reduce((a, v) => a + Number(v), 0) : 0;
  const requests = Number(/(\d+) requests in/.exec(text)?.[1] ?? 0);
  return {
    rps,
    p99ms: p99 ? toMs(p99[1], p99[2]) : NaN,
    errors: non2xx + socketErrors,
    requests,
  };
}

/** wrk script: POST /orders cycling over symbols, alternating sides so positions stay bounded. */
export function ordersScript(symbols: readonly string[]): string {
  return `
local symbols = { ${symbols.map((s) => `"${s}"`).join(", ")} }
local i = 0
wrk.method = "POST"
request = function()
  i = i + 1
  local side = (i % 2 == 0) and "SELL" or "BUY"
  local symbol = symbols[(math.floor(i / 2) % #symbols) + 1]
  return wrk.format("POST", "/orders?symbol=" .. symbol .. "&side=" .. side .. "&quantity=1")
end
`;
}

/**
 * wrk script of a realistic order mix (seeded, so every run sends the same sequence): market
 * orders of 1-100 shares in query strings (the seed's style) and JSON bodies, one in five a limit
 * order at about 100 (real prices are far above: BUY limits are cancelled, SELL limits fill),
 * one in fifty an oversized order the notional limit rejects (422). Sides alternate per
 * symbol so positions stay within the default limits.
 */
export function realisticScript(symbols: readonly string[]): string {
  return `
local symbols = { ${symbols.map((s) => `"${s}"`).join(", ")} }
local i = 0
math.randomseed(42)
request = function()
  i = i + 1
  local symbol = symbols[(i % #symbols) + 1]
  local side = (math.floor(i / #symbols) % 2 == 0) and "BUY" or "SELL"
  local qty = math.random(1, 100)
  if i % 50 == 0 then qty = 9000 end
  if i % 5 == 0 then
    local price = string.format("%.2f", 100 * (1 + (math.random() - 0.5) / 100))
    local body = '{"symbol":"' .. symbol .. '","side":"' .. side .. '","quantity":' .. qty ..
      ',"type":"limit","price":' .. price .. '}'
    return wrk.format("POST", "/orders", { ["Content-Type"] = "application/json" }, body)
  elseif i % 2 == 0 then
    local body = '{"symbol":"' .. symbol .. '","side":"' .. side .. '","quantity":' .. qty .. '}'
    return wrk.format("POST", "/orders", { ["Content-Type"] = "application/json" }, body)
  end
  return wrk.format("POST", "/orders?symbol=" .. symbol .. "&side=" .. side .. "&quantity=" .. qty)
end
`;
}

/** Median wall time of `n` sequential scrapes over HTTP, in ms, and the sample count. */
async function scrapeTime(base: string, n: number, headers: HeadersInit = {}) {
  const times: number[] = [];
  let samples = 0;
  for (let i = 0; i < n + 10; i++) {
    const t = performance.now();
    const res = await fetch(`${base}/metrics`, { headers });
    const body = await res.text();
    if (i >= 10) times.push(performance.now() - t); // the first scrapes warm the JIT up
    samples = body.split("\n").filter((l) => l !== "" && !l.startsWith("#")).length;
  }
  times.sort((a, b) => a - b);
  return { ms: times[Math.floor(times.length / 2)], samples };
}

/** Run the server benchmarks. */
export async function run(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const dbDir = await Deno.makeTempDir({ prefix: "tradewatch-bench-" });
  const script = join(dbDir, "orders.lua");
  const mixScript = join(dbDir, "mix.lua");
  const servers: Server[] = [];
  try {
    const bare = await startChild("bare", ["eval", BARE_SERVER]);
    servers.push(bare);
    const withMetrics = await service("metrics", dbDir);
    servers.push(withMetrics);
    const without = await service("no-metrics", dbDir, ["--no-metrics"]);
    servers.push(without);
    const realistic = await service("realistic", dbDir);
    servers.push(realistic);
    const fronted = await service("front", dbDir, [
      "--idle-timeout",
      "5s",
      "--header-timeout",
      "5s",
    ]);
    servers.push(fronted);
    const bareInsert = await bareOrders(dbDir);
    servers.push(bareInsert);
    const symbols = (await (await fetch(`${withMetrics.base}/quotes`)).json()).symbols as string[];
    await Deno.writeTextFile(script, ordersScript(symbols));
    await Deno.writeTextFile(mixScript, realisticScript(symbols));

    // Start-up first, while the other servers are still idle (reported last).
    const startup = await startupRows(dbDir);

    // Warm-up: JIT and connection pools of every server.
    for (const s of servers) await wrk(`${s.base}/health`, 1);

    // GET /health, interleaved rounds.
    const health = await rounds(
      [bare, withMetrics, without].map((s) => ({ name: s.name, url: `${s.base}/health` })),
      ROUNDS,
    );
    const bareRuns = health.get("bare")!;
    const onRuns = health.get("metrics")!;
    const offRuns = health.get("no-metrics")!;
    const bareRps = median(bareRuns.map((x) => x.rps));
    const metricsRps = median(onRuns.map((x) => x.rps));
    const healthRatio = pairedRatio(onRuns, bareRuns);
    rows.push({
      area: "server",
      name: "GET /health rps (metrics on)",
      value: metricsRps,
      unit: "req/s",
      anchor: { name: "bare Deno.serve", value: bareRps },
      ratio: healthRatio,
      goal: ">= 0.8x",
      pass: healthRatio >= 0.8,
    });
    const overhead = pairedRatio(onRuns, offRuns);
    rows.push({
      area: "server",
      name: "GET /health rps, metrics on / off",
      value: metricsRps,
      unit: "req/s",
      anchor: { name: "--no-metrics", value: median(offRuns.map((x) => x.rps)) },
      ratio: overhead,
      goal: ">= 0.95x",
      pass: overhead >= 0.95,
    });

    // POST /orders: full engine, file database, venue latency 0, against the bare durable
    // insert (same store, same group commit) in the same rounds. The realistic mix first.
    await wrk(`${withMetrics.base}/orders`, 1, script);
    await wrk(`${without.base}/orders`, 1, script);
    await wrk(`${realistic.base}/orders`, 1, mixScript);
    await wrk(`${bareInsert.base}/orders`, 1, script);
    const post = await rounds([
      { name: "bare-orders", url: `${bareInsert.base}/orders`, script },
      { name: "realistic", url: `${realistic.base}/orders`, script: mixScript },
      { name: "metrics", url: `${withMetrics.base}/orders`, script },
      { name: "no-metrics", url: `${without.base}/orders`, script },
    ], Math.max(1, ROUNDS - 1));
    const anchorRuns = post.get("bare-orders")!;
    const anchor = { name: "bare durable insert", value: median(anchorRuns.map((x) => x.rps)) };
    const mixRuns = post.get("realistic")!;
    const mixRatio = pairedRatio(mixRuns, anchorRuns);
    rows.push({
      area: "server",
      name: "POST /orders rps, realistic mix (file DB, metrics on)",
      value: median(mixRuns.map((x) => x.rps)),
      unit: "req/s",
      anchor,
      ratio: mixRatio,
      goal: ">= 0.3x",
      pass: mixRatio >= 0.3,
    });
    const mixP99 = median(mixRuns.map((x) => x.p99ms));
    rows.push({
      area: "server",
      name: "POST /orders p99, realistic mix (median of rounds)",
      value: mixP99,
      unit: "ms",
      goal: "< 20 ms",
      pass: mixP99 < 20,
    });
    const ordersOn = post.get("metrics")!;
    const ordersOff = post.get("no-metrics")!;
    const ordersRps = median(ordersOn.map((x) => x.rps));
    const ordersRatio = pairedRatio(ordersOn, anchorRuns);
    rows.push({
      area: "server",
      name: "POST /orders rps, quantity 1 (file DB, metrics on)",
      value: ordersRps,
      unit: "req/s",
      anchor,
      ratio: ordersRatio,
      goal: ">= 0.3x",
      pass: ordersRatio >= 0.3,
    });
    const p99 = median(ordersOn.map((x) => x.p99ms));
    rows.push({
      area: "server",
      name: "POST /orders p99 (median of rounds)",
      value: p99,
      unit: "ms",
      goal: "< 20 ms",
      pass: p99 < 20,
    });
    const errors = ordersOn.reduce((a, x) => a + x.errors, 0);
    const requests = ordersOn.reduce((a, x) => a + x.requests, 0);
    rows.push({
      area: "server",
      name: `POST /orders errors (of ${requests})`,
      value: errors,
      unit: "",
      goal: "0",
      pass: errors === 0,
    });
    const ordersOverhead = pairedRatio(ordersOn, ordersOff);
    rows.push({
      area: "server",
      name: "POST /orders rps, metrics on / off",
      value: ordersRps,
      unit: "req/s",
      anchor: { name: "--no-metrics", value: median(ordersOff.map((x) => x.rps)) },
      ratio: ordersOverhead,
      goal: ">= 0.95x",
      pass: ordersOverhead >= 0.95,
    });

    // The connection front: the same service with and without it, paired rounds.
    await wrk(`${fronted.base}/orders`, 1, script);
    const front = await rounds([
      { name: "plain-health", url: `${withMetrics.base}/health` },
      { name: "front-health", url: `${fronted.base}/health` },
      { name: "plain-orders", url: `${withMetrics.base}/orders`, script },
      { name: "front-orders", url: `${fronted.base}/orders`, script },
    ], Math.max(1, ROUNDS - 1));
    for (const what of ["health", "orders"]) {
      const on = front.get(`front-${what}`)!;
      const off = front.get(`plain-${what}`)!;
      rows.push({
        area: "server",
        name: `${
          what === "health" ? "GET /health" : "POST /orders"
        } rps, with the connection front`,
        value: median(on.map((x) => x.rps)),
        unit: "req/s",
        anchor: { name: "without", value: median(off.map((x) => x.rps)) },
        ratio: pairedRatio(on, off),
      });
    }

    // Scrape of the default universe (after the traffic above: its HTTP series exist).
    const TEXT = { "accept-encoding": "identity" };
    const small = await scrapeTime(withMetrics.base, 50, TEXT);
    rows.push({
      area: "server",
      name: `scrape default universe (${small.samples} samples)`,
      value: small.ms,
      unit: "ms",
      goal: "< 5 ms",
      pass: small.ms < 5,
    });
    for (const s of servers.splice(0)) await s.stop();

    // Scrape of ~10,000 series: a universe of 440 symbols (23 pre-initialised samples each).
    const many = Array.from({ length: 440 }, (_, i) => `S${String(i).padStart(4, "0")}`);
    const big = await service("big", dbDir, ["--tick-interval", "1000"], many.join(","));
    servers.push(big);
    await (await fetch(`${big.base}/nope`)).body?.cancel();
    const large = await scrapeTime(big.base, 30, TEXT);
    rows.push({
      area: "server",
      name: `scrape ${large.samples} series (text)`,
      value: large.ms,
      unit: "ms",
      goal: "<= 25 ms",
      pass: large.ms <= 25 && large.samples >= 10_000,
    });
    const largeOm = await scrapeTime(big.base, 30, {
      accept: "application/openmetrics-text;version=1.0.0",
      "accept-encoding": "gzip",
    });
    rows.push({
      area: "server",
      name: `scrape ${largeOm.samples} series (OpenMetrics+gzip)`,
      value: largeOm.ms,
      unit: "ms",
      goal: "<= 25 ms",
      pass: largeOm.ms <= 25,
    });
    rows.push(...startup);
  } finally {
    for (const s of servers) await s.stop().catch(() => {});
    await Deno.remove(dbDir, { recursive: true }).catch(() => {});
  }
  return rows;
}

if (import.meta.main) {
  const { formatTable } = await import("./table.ts");
  console.log(formatTable(await run()));
}
