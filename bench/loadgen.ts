/**
 * Benchmarks of the loadgen area, side by side with wrk in the same run, against a bare
 * `Deno.serve` answering GET /health (a child process):
 *
 * - closed loop, 50 connections, at equal thread counts: one loadgen thread vs `wrk -t1 -c50`,
 *   and `--workers 2` vs `wrk -t2 -c50`: throughput ratio (goal >= 1.0x) and client CPU per
 *   request (goal <= wrk's) for each pair; and `--workers 2` against one worker (goal >= 1.2x).
 *   All run in interleaved rounds; each ratio is the median of per-round ratios. CPU is the
 *   whole child process (user + system, from getrusage via bash's `times`), start-up included
 *   for both; the server's own CPU over each run (from /proc) is reported alongside, since on a
 *   2-core machine the server's single thread and the client's threads share the cores;
 * - open mode at 1k, 5k and 10k requests/s: achieved send rate over the requested one (goal
 *   within 1%, nothing dropped), with the p99 send lateness alongside; and the p99 lateness of
 *   the timer scheduler at 10k/s for comparison.
 *
 * `BENCH_LOADGEN_SECONDS` (default 5) and `BENCH_LOADGEN_ROUNDS` (default 3) tune the closed-loop
 * runs.
 *
 * @module
 */
import { SHIPPED_V8_FLAGS } from "./shipped.ts";
import type { BenchRow } from "./table.ts";

const ROOT = new URL("..", import.meta.url).pathname;
const SECONDS = Number(Deno.env.get("BENCH_LOADGEN_SECONDS") ?? 5);
const ROUNDS = Number(Deno.env.get("BENCH_LOADGEN_ROUNDS") ?? 3);
const OPEN_RATES = [1000, 5000, 10_000];
const OPEN_SECONDS = 3;

const SERVER = `Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: ({ port }) =>
  console.log(JSON.stringify({ port })) }, () => new Response("ok"));`;

interface Measured {
  rps: number;
  cpuSeconds: number;
  requests: number;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

interface Server {
  url: string;
  pid: number;
  stop(): Promise<void>;
}

async function startServer(): Promise<Server> {
  const proc = new Deno.Command(Deno.execPath(), {
    args: ["eval", SERVER],
    stdin: "null",
    stdout: "piped",
    stderr: "null",
  }).spawn();
  const reader = proc.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  let port = 0;
  while (!port) {
    const { value, done } = await reader.read();
    if (done) throw new Error("The bench server exited before listening");
    text += value;
    const m = /\{"port":(\d+)\}/.exec(text);
    if (m) port = Number(m[1]);
  }
  const drain = (async () => {
    try {
      while (!(await reader.read()).done) { /* discard */ }
    } catch { /* closed */ }
  })();
  return {
    url: `http://127.0.0.1:${port}`,
    pid: proc.pid,
    async stop() {
      proc.kill("SIGTERM");
      await proc.status;
      await drain;
    },
  };
}

/**
 * Run a command and return its stdout and CPU seconds (user + system, from getrusage of the
 * children as bash's `times` reports them: no dependency on GNU time).
 */
async function timed(cmd: string[]): Promise<{ stdout: string; cpuSeconds: number; code: number }> {
  const out = await new Deno.Command("bash", {
    args: ["-c", '"$@"; s=$?; times >&2; exit $s', "--", ...cmd],
    cwd: ROOT,
    stdin: "null",
  }).output();
  const stderr = new TextDecoder().decode(out.stderr);
  // The last line of `times`: children's user and system time, e.g. "0m1.234s 0m4.567s".
  const m = /(\d+)m([\d.]+)s (\d+)m([\d.]+)s\s*$/.exec(stderr);
  if (!m) throw new Error(`No CPU times from ${cmd[0]}: ${stderr.slice(-500)}`);
  return {
    stdout: new TextDecoder().decode(out.stdout),
    cpuSeconds: Number(m[1]) * 60 + Number(m[2]) + Number(m[3]) * 60 + Number(m[4]),
    code: out.code,
  };
}

async function wrk(url: string, threads: number): Promise<Measured> {
  const r = await timed(["wrk", `-t${threads}`, "-c50", `-d${SECONDS}s`, `${url}/health`]);
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(r.stdout)?.[1]);
  const requests = Number(/(\d+) requests in/.exec(r.stdout)?.[1]);
  if (!(rps > 0)) throw new Error(`Unexpected wrk output: ${r.stdout}`);
  return { rps, cpuSeconds: r.cpuSeconds, requests };
}

// deno-lint-ignore no-explicit-any
async function loadgen(url: string, args: string[]): Promise<any> {
  const r = await timed([
    Deno.execPath(),
    "run",
    ...SHIPPED_V8_FLAGS,
    "--allow-all",
    "main.ts",
    "--loadgen",
    "--target",
    url,
    "-m",
    "health",
    "--no-progress",
    "--json",
    "-",
    ...args,
  ]);
  if (r.code !== 0) throw new Error(`loadgen exited ${r.code}: ${r.stdout.slice(-500)}`);
  return { report: JSON.parse(r.stdout), cpuSeconds: r.cpuSeconds };
}

/** CPU seconds (user + system) a process has used, from /proc/PID/stat. */
function processCpuSeconds(pid: number): number {
  const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  // Fields 14 and 15 of stat (utime, stime), counted from the state field (3rd) here.
  return (Number(fields[11]) + Number(fields[12])) / 100; // USER_HZ is 100 on Linux
}

type Who = "wrk -t1" | "loadgen 1" | "wrk -t2" | "loadgen --workers 2";

async function closedLoop(server: Server): Promise<BenchRow[]> {
  const runs = new Map<Who, (Measured & { serverCpu: number })[]>();
  const who: Who[] = ["wrk -t1", "loadgen 1", "wrk -t2", "loadgen --workers 2"];
  for (const w of who) runs.set(w, []);
  for (let round = 0; round < ROUNDS; round++) {
    const order = round % 2 === 0 ? who : [...who].reverse();
    for (const w of order) {
      const cpu0 = processCpuSeconds(server.pid);
      let m: Measured;
      if (w === "wrk -t1" || w === "wrk -t2") m = await wrk(server.url, w === "wrk -t1" ? 1 : 2);
      else {
        const { report, cpuSeconds } = await loadgen(server.url, [
          "-c",
          "50",
          "-d",
          `${SECONDS}s`,
          ...(w === "loadgen --workers 2" ? ["--workers", "2"] : []),
        ]);
        m = { rps: report.rate.achieved, cpuSeconds, requests: report.requests.completed };
      }
      // The server's share of a core over the measured seconds.
      const serverCpu = (processCpuSeconds(server.pid) - cpu0) / SECONDS;
      runs.get(w)!.push({ ...m, serverCpu });
    }
  }
  const get = (w: Who) => runs.get(w)!;
  // CPU per 10k requests, in % of one core-second (the unit: "12.5% CPU per 10k rps").
  const cpuPer10k = (m: Measured) => (m.cpuSeconds / m.requests) * 10_000 * 100;
  const pct = (x: number) => `${(x * 100).toFixed(0)}%`;
  const rows: BenchRow[] = [];
  for (
    const [ours, theirs, label] of [
      ["loadgen 1", "wrk -t1", "1 thread"],
      ["loadgen --workers 2", "wrk -t2", "2 threads"],
    ] as [Who, Who, string][]
  ) {
    const o = get(ours);
    const t = get(theirs);
    const ratio = median(o.map((x, i) => x.rps / t[i].rps));
    const cpuRatio = median(o.map((x, i) => cpuPer10k(x) / cpuPer10k(t[i])));
    rows.push({
      area: "loadgen",
      name: `closed loop c=50 GET /health, ${label}: ${ours} rps (server CPU ${
        pct(median(o.map((x) => x.serverCpu)))
      } vs ${pct(median(t.map((x) => x.serverCpu)))} of a core)`,
      value: median(o.map((x) => x.rps)),
      unit: "req/s",
      anchor: { name: `${theirs} -c50`, value: median(t.map((x) => x.rps)) },
      ratio,
      goal: ">= 1.0x",
      pass: ratio >= 1.0,
    });
    rows.push({
      area: "loadgen",
      name: `client CPU per 10k requests, ${label}`,
      value: median(o.map(cpuPer10k)),
      unit: "% core-s",
      anchor: { name: theirs, value: median(t.map(cpuPer10k)) },
      ratio: cpuRatio,
      goal: "<= 1.0x",
      pass: cpuRatio <= 1.0,
    });
  }
  const one = get("loadgen 1");
  const two = get("loadgen --workers 2");
  const scale = median(two.map((x, i) => x.rps / one[i].rps));
  rows.push({
    area: "loadgen",
    name: `closed loop c=50: --workers 2 vs one worker (server CPU ${
      pct(median(two.map((x) => x.serverCpu)))
    } vs ${pct(median(one.map((x) => x.serverCpu)))} of a core)`,
    value: median(two.map((x) => x.rps)),
    unit: "req/s",
    anchor: { name: "loadgen, 1 worker", value: median(one.map((x) => x.rps)) },
    ratio: scale,
    goal: ">= 1.2x",
    pass: scale >= 1.2,
  });
  return rows;
}

async function openMode(url: string): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  for (const rate of OPEN_RATES) {
    const { report } = await loadgen(url, ["-r", String(rate), "-d", `${OPEN_SECONDS}s`]);
    const sent = report.rate.sent as number;
    const ratio = sent / rate;
    rows.push({
      area: "loadgen",
      name: `open mode ${rate}/s: send rate (${
        ((ratio - 1) * 100).toFixed(2)
      }% off, ${report.requests.dropped} dropped)`,
      value: sent,
      unit: "req/s",
      anchor: { name: "requested", value: rate },
      ratio,
      goal: "within 1%",
      pass: Math.abs(ratio - 1) <= 0.01 && report.requests.dropped === 0,
    });
    rows.push({
      area: "loadgen",
      name: `open mode ${rate}/s: p99 send lateness`,
      value: report.latenessMs.p99,
      unit: "ms",
    });
  }
  // The cheap scheduler, for comparison: on time on average, but sends in timer-sized batches.
  const { report } = await loadgen(url, [
    "-r",
    "10000",
    "-d",
    `${OPEN_SECONDS}s`,
    "--scheduler",
    "timer",
  ]);
  rows.push({
    area: "loadgen",
    name: `open mode 10000/s, timer scheduler: p99 send lateness (send rate ${
      (report.rate.sent as number).toFixed(0)
    }/s)`,
    value: report.latenessMs.p99,
    unit: "ms",
  });
  return rows;
}

/** Run the loadgen benchmarks. */
export async function run(): Promise<BenchRow[]> {
  const server = await startServer();
  try {
    return [...(await closedLoop(server)), ...(await openMode(server.url))];
  } finally {
    await server.stop();
  }
}

if (import.meta.main) {
  const { formatTable } = await import("./table.ts");
  console.log(formatTable(await run()));
}
