/**
 * Benchmarks of `--lint-rules`: a generated file of 5,000 alerting rules, checked by Debian's
 * `promtool check rules` (2.42) and by `deno run main.ts --lint-rules --prometheus 2`, side by
 * side in one run (median of 3 each, wall time and peak RSS from /usr/bin/time -v).
 * Goal: at most half of promtool's wall time and less peak memory.
 *
 * @module
 */
import { SHIPPED_V8_FLAGS } from "./shipped.ts";
import type { BenchRow } from "./table.ts";

const SYMBOLS = ["AAPL", "GOOGL", "MSFT", "AMZN", "TSLA"];

/**
 * Realistic alert expressions over the service's metrics, varied by rule number, each with a
 * label its result keeps (for the annotation template).
 */
const EXPRS: [(i: number) => string, string][] = [
  [
    (i) =>
      `histogram_quantile(0.95, sum by (le, endpoint) (rate(http_request_duration_seconds_bucket[5m]))) > ${
        (i % 50) / 10 + 0.5
      }`,
    "endpoint",
  ],
  [
    (i) =>
      `rate(order_count_total{status="failed",symbol="${SYMBOLS[i % 5]}"}[5m]) > ${
        (i % 30) / 100 + 0.01
      }`,
    "symbol",
  ],
  [(i) => `trade_pnl_dollars{symbol="${SYMBOLS[i % 5]}"} < -${1000 + i}`, "symbol"],
  [
    (i) =>
      `sum by (endpoint) (rate(http_requests_total{status=~"5.."}[5m])) / sum by (endpoint) (rate(http_requests_total[5m])) > ${
        (i % 20) / 100 + 0.01
      }`,
    "endpoint",
  ],
  [
    (i) =>
      `max_over_time(market_data_lag_seconds{symbol="${SYMBOLS[i % 5]}"}[10m]) > ${i % 60 + 1}`,
    "symbol",
  ],
  [(i) => `db_connection_pool_size{status="waiting"} > ${i % 40 + 1}`, "instance"],
  [
    (i) =>
      `rate(redis_cache_misses_total[5m]) / (rate(redis_cache_hits_total[5m]) + rate(redis_cache_misses_total[5m])) > 0.${
        (i % 9) + 1
      }`,
    "instance",
  ],
  [(i) => `abs(risk_var_dollars{confidence_level="0.99"}) > ${50000 + i * 10}`, "instance"],
];

/** A rule file of `n` alerting rules in groups of 100, with labels and templated annotations. */
export function generateRuleFile(n: number): string {
  const out = ["groups:"];
  for (let g = 0; g * 100 < n; g++) {
    out.push(`  - name: generated-${g}`, `    interval: 30s`, `    rules:`);
    for (let i = g * 100; i < Math.min(n, (g + 1) * 100); i++) {
      out.push(
        `      - alert: GeneratedAlert${i}`,
        `        expr: ${EXPRS[i % EXPRS.length][0](i)}`,
        `        for: ${(i % 10) + 1}m`,
        `        labels:`,
        `          severity: ${i % 3 === 0 ? "critical" : "warning"}`,
        `          team: trading-${i % 7}`,
        `        annotations:`,
        `          summary: "Generated alert ${i} on {{ $labels.${EXPRS[i % EXPRS.length][1]} }}"`,
        `          description: "Value is {{ $value | humanize }} (rule ${i}, {{ $labels.${
          EXPRS[i % EXPRS.length][1]
        } }})"`,
      );
    }
  }
  return out.join("\n") + "\n";
}

interface Measure {
  wallS: number;
  rssMb: number;
  code: number;
}

/** Run a command under /usr/bin/time -v; wall seconds and peak RSS. */
async function measure(cmd: string[]): Promise<Measure> {
  const out = await new Deno.Command("/usr/bin/time", {
    args: ["-v", ...cmd],
    stdout: "null",
    stderr: "piped",
  }).output();
  const err = new TextDecoder().decode(out.stderr);
  const wall = /Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (?:(\d+):)?(\d+):([\d.]+)/.exec(
    err,
  );
  const rss = /Maximum resident set size \(kbytes\): (\d+)/.exec(err);
  if (!wall || !rss) throw new Error(`bench: cannot read /usr/bin/time output: ${err.slice(-300)}`);
  const wallS = Number(wall[1] ?? 0) * 3600 + Number(wall[2]) * 60 + Number(wall[3]);
  return { wallS, rssMb: Number(rss[1]) / 1024, code: out.code };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Run the lint benchmarks. */
export async function run(): Promise<BenchRow[]> {
  const dir = await Deno.makeTempDir({ prefix: "tradewatch-bench-lint-" });
  try {
    const file = `${dir}/rules-5000.yml`;
    await Deno.writeTextFile(file, generateRuleFile(5000));
    const main = new URL("../main.ts", import.meta.url).pathname;
    const commands = {
      promtool: ["promtool", "check", "rules", file],
      lint: [
        Deno.execPath(),
        "run",
        ...SHIPPED_V8_FLAGS,
        "--allow-all",
        main,
        "--lint-rules",
        "--prometheus",
        "2",
        file,
      ],
    };
    // Warm both once (page cache, Deno's module cache), then alternate 3 runs each.
    for (const c of Object.values(commands)) await measure(c);
    const runs = { promtool: [] as Measure[], lint: [] as Measure[] };
    for (let i = 0; i < 3; i++) {
      runs.promtool.push(await measure(commands.promtool));
      runs.lint.push(await measure(commands.lint));
    }
    for (const [name, ms] of Object.entries(runs)) {
      if (ms.some((m) => m.code !== 0)) {
        throw new Error(`bench: ${name} failed on the generated file`);
      }
    }
    const p = {
      wall: median(runs.promtool.map((m) => m.wallS)),
      rss: median(runs.promtool.map((m) => m.rssMb)),
    };
    const l = {
      wall: median(runs.lint.map((m) => m.wallS)),
      rss: median(runs.lint.map((m) => m.rssMb)),
    };
    return [
      {
        area: "lint",
        name: "5,000 alert rules, wall (--prometheus 2)",
        value: l.wall,
        unit: "s",
        anchor: { name: "promtool 2.42", value: p.wall },
        ratio: l.wall / p.wall,
        goal: "<= 0.5x",
        pass: l.wall / p.wall <= 0.5,
      },
      {
        area: "lint",
        name: "5,000 alert rules, peak RSS",
        value: l.rss,
        unit: "MB",
        anchor: { name: "promtool 2.42", value: p.rss },
        ratio: l.rss / p.rss,
        goal: "< 1x",
        pass: l.rss < p.rss,
      },
    ];
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}
