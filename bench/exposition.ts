/**
 * Benchmarks of the exposition (issue 13), side by side in one run, each server a child process
 * started like `bench/server.ts` starts them:
 *
 * - scrape time, protobuf against text 0.0.4, of the same live service: the default universe
 *   (the realistic scrape) and a 440-symbol universe (>= 10,000 series); goal protobuf <= text;
 * - POST /orders throughput with exemplars and native buckets on (the default) against the same
 *   build with `--no-exemplars --native-histograms=false`, in interleaved wrk rounds; goal >= 0.95x.
 *
 * @module
 */
import { join } from "node:path";
import { median, ordersScript, pairedRatio, rounds, type Server, service, wrk } from "./server.ts";
import type { BenchRow } from "./table.ts";

const ROUNDS = Number(Deno.env.get("BENCH_SERVER_ROUNDS") ?? 3);
const PROTOBUF =
  "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited";

/** Median wall time of scrapes over HTTP in two formats, alternating, and the text sample count. */
async function pairedScrapes(base: string, n: number) {
  const time = async (accept: string) => {
    const t = performance.now();
    const res = await fetch(`${base}/metrics`, {
      headers: { accept, "accept-encoding": "identity" },
    });
    const body = new Uint8Array(await res.arrayBuffer());
    return { ms: performance.now() - t, body, type: res.headers.get("content-type") ?? "" };
  };
  const text: number[] = [];
  const proto: number[] = [];
  let samples = 0;
  let protoBytes = 0;
  for (let i = 0; i < n + 10; i++) {
    // Alternate which goes first, so that neither always follows the other's garbage.
    const order = i % 2 === 0 ? ["text", "proto"] : ["proto", "text"];
    for (const which of order) {
      const r = await time(which === "text" ? "text/plain;version=0.0.4" : PROTOBUF);
      if (which === "proto" && !r.type.startsWith("application/vnd.google.protobuf")) {
        throw new Error(`protobuf not served: ${r.type}`);
      }
      if (i < 10) continue; // the first scrapes warm the JIT up
      if (which === "text") {
        text.push(r.ms);
        samples = new TextDecoder().decode(r.body).split("\n")
          .filter((l) => l !== "" && !l.startsWith("#")).length;
      } else {
        proto.push(r.ms);
        protoBytes = r.body.length;
      }
    }
  }
  return { text: median(text), proto: median(proto), samples, protoBytes };
}

/** Run the exposition benchmarks. */
export async function run(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const dbDir = await Deno.makeTempDir({ prefix: "tradewatch-bench-expo-" });
  const script = join(dbDir, "orders.lua");
  const servers: Server[] = [];
  try {
    const on = await service("extras-on", dbDir);
    servers.push(on);
    const off = await service("extras-off", dbDir, ["--no-exemplars", "--native-histograms=false"]);
    servers.push(off);
    const symbols = (await (await fetch(`${on.base}/quotes`)).json()).symbols as string[];
    await Deno.writeTextFile(script, ordersScript(symbols));
    await wrk(`${on.base}/orders`, 1, script);
    await wrk(`${off.base}/orders`, 1, script);
    const post = await rounds([
      { name: "on", url: `${on.base}/orders`, script },
      { name: "off", url: `${off.base}/orders`, script },
    ], ROUNDS);
    const ratio = pairedRatio(post.get("on")!, post.get("off")!);
    rows.push({
      area: "exposition",
      name: "POST /orders rps, exemplars+native on / off",
      value: median(post.get("on")!.map((x) => x.rps)),
      unit: "req/s",
      anchor: {
        name: "--no-exemplars --native-histograms=false",
        value: median(post.get("off")!.map((x) => x.rps)),
      },
      ratio,
      goal: ">= 0.95x",
      pass: ratio >= 0.95,
    });

    // Realistic first: the default universe after the traffic above (its HTTP series exist).
    const small = await pairedScrapes(on.base, 50);
    rows.push({
      area: "exposition",
      name: `scrape default universe (${small.samples} samples), protobuf`,
      value: small.proto,
      unit: "ms",
      anchor: { name: "text 0.0.4", value: small.text },
      ratio: small.proto / small.text,
      goal: "<= 1.0x",
      pass: small.proto <= small.text,
    });
    for (const s of servers.splice(0)) await s.stop();

    const many = Array.from({ length: 440 }, (_, i) => `S${String(i).padStart(4, "0")}`);
    const big = await service("big", dbDir, ["--tick-interval", "1000"], many.join(","));
    servers.push(big);
    await (await fetch(`${big.base}/nope`)).body?.cancel();
    const large = await pairedScrapes(big.base, 30);
    rows.push({
      area: "exposition",
      name: `scrape ${large.samples} series, protobuf (${Math.round(large.protoBytes / 1024)} kB)`,
      value: large.proto,
      unit: "ms",
      anchor: { name: "text 0.0.4", value: large.text },
      ratio: large.proto / large.text,
      goal: "<= 1.0x",
      pass: large.proto <= large.text && large.samples >= 10_000,
    });
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
