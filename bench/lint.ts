/**
 * Benchmarks of `--lint-rules` against Debian's `promtool check rules` (2.42), side by side in
 * one run (median of 3 each, alternating, after one warm-up; wall time and peak RSS from
 * /usr/bin/time -v), `deno run main.ts --lint-rules --prometheus 2 --catalog none` with the flags
 * of `deno task start`. Realistic input first:
 * 1. the real-world corpus (`../shared/rules-corpus/real-world/`: kube-prometheus, Thanos, Loki),
 *    all files in one invocation;
 * 2. 5,000 rules built from those real-world rules, varied so that no two share a shape (every
 *    metric, alert and record name gets a distinct letter suffix, annotations too);
 * 3. (secondary) the old generated file of 5,000 rules over the service's metrics, in 8 shapes;
 * 4. the startup floor: an empty rule file (and `deno run` of an empty script, for reference).
 * Goals: at most half of promtool's wall time and at most its peak RSS.
 *
 * @module
 */
import { join } from "node:path";
import jsyaml from "js-yaml";
import { SHIPPED_V8_FLAGS } from "./shipped.ts";
import type { BenchRow } from "./table.ts";
import { parsePromql } from "../src/lint/promql/parse.ts";

/** The real-world rule corpus, beside the repository. */
export const REAL_WORLD =
  new URL("../../shared/rules-corpus/real-world/", import.meta.url).pathname;

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

/** One rule of a published rule file. */
export interface CorpusRule {
  alert?: string;
  record?: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

/** The rule files of the real-world corpus, sorted; empty when it is absent. */
export function realWorldFiles(dir = REAL_WORLD): string[] {
  try {
    return [...Deno.readDirSync(dir)].filter((e) => /\.ya?ml$/.test(e.name)).map((e) =>
      join(dir, e.name)
    ).sort();
  } catch {
    return [];
  }
}

/** Every rule of the real-world corpus. */
export function realWorldRules(files = realWorldFiles()): CorpusRule[] {
  const out: CorpusRule[] = [];
  for (const f of files) {
    const doc = jsyaml.load(Deno.readTextFileSync(f)) as { groups?: { rules?: CorpusRule[] }[] };
    for (const g of doc?.groups ?? []) for (const r of g.rules ?? []) out.push(r);
  }
  return out;
}

/** `i` in letters (a, b, …, z, ba, bb, …): a suffix the digit-normalising shape never merges. */
function letters(i: number): string {
  let s = "";
  do {
    s = String.fromCharCode(97 + (i % 26)) + s;
    i = Math.floor(i / 26);
  } while (i > 0);
  return s;
}

/**
 * `expr` with every metric name of its selectors suffixed, before a series suffix (`x_bucket`
 * becomes `x_ab_bucket`: histograms and counters stay recognisable).
 */
function renameMetrics(expr: string, suffix: string): string {
  const parsed = parsePromql(expr, 3);
  const ids = (parsed.nodes.get("VectorSelector") ?? []).map((n) => n.getChild("Identifier"))
    .filter((n) => n !== null).sort((a, b) => b.from - a.from);
  let out = expr;
  for (const id of ids) {
    const name = expr.slice(id.from, id.to);
    const tail = /_(bucket|sum|count|total)$/.exec(name)?.[0] ?? "";
    const at = id.to - tail.length;
    out = out.slice(0, at) + suffix + out.slice(at);
  }
  // No metric name (vector(1)): a comment keeps the shape distinct.
  return ids.length ? out : `${out}\n# variant ${suffix}`;
}

/**
 * `n` rules built from real-world ones, in groups of 50, no two of the same shape: rule `i` is
 * corpus rule `i % rules.length` with a distinct suffix on every metric, alert and record name
 * and in the annotations (the expressions' structure, functions, matchers and templates are the
 * corpus' own).
 */
export function variedRuleFile(rules: readonly CorpusRule[], n: number): string {
  const q = (s: string) => JSON.stringify(s);
  const out = ["groups:"];
  for (let i = 0; i < n; i++) {
    if (i % 50 === 0) out.push(`- name: ${q(`bench-${letters(i / 50)}`)}`, "  rules:");
    const r = rules[i % rules.length];
    const suffix = `_${letters(i)}`;
    out.push(
      r.alert !== undefined
        ? `  - alert: ${q(r.alert + suffix)}`
        : `  - record: ${q(r.record + suffix)}`,
    );
    out.push(`    expr: ${q(renameMetrics(String(r.expr), suffix))}`);
    if (r.for !== undefined) out.push(`    for: ${q(String(r.for))}`);
    for (const key of ["labels", "annotations"] as const) {
      const map = r[key];
      if (!map || Object.keys(map).length === 0) continue;
      out.push(`    ${key}:`);
      for (const [k, v] of Object.entries(map)) {
        out.push(
          `      ${q(k)}: ${q(key === "annotations" ? `${v} (variant ${suffix})` : String(v))}`,
        );
      }
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

/** One side-by-side case: promtool and the linter on the same files. */
interface Case {
  name: string;
  files: string[];
  /** Compare wall time and RSS (false: show the figures only). */
  goal: boolean;
}

/** Run the lint benchmarks. */
export async function run(): Promise<BenchRow[]> {
  const dir = await Deno.makeTempDir({ prefix: "tradewatch-bench-lint-" });
  try {
    const main = new URL("../main.ts", import.meta.url).pathname;
    const lintCmd = (files: string[]) => [
      Deno.execPath(),
      "run",
      ...SHIPPED_V8_FLAGS,
      "--allow-net",
      "--allow-read",
      "--allow-write",
      "--allow-env",
      "--allow-sys",
      "--allow-run",
      main,
      "--lint-rules",
      "--prometheus",
      "2",
      "--catalog",
      "none",
      ...files,
    ];
    const cases: Case[] = [];
    const corpus = realWorldFiles();
    if (corpus.length === 0) {
      console.error(`bench lint: the real-world corpus is absent at ${REAL_WORLD}; rows skipped`);
    } else {
      cases.push({
        name: `real-world corpus (${corpus.length} files, one run)`,
        files: corpus,
        goal: true,
      });
      const varied = `${dir}/real-world-5000.yml`;
      await Deno.writeTextFile(varied, variedRuleFile(realWorldRules(corpus), 5000));
      cases.push({ name: "5,000 distinct real-world rules", files: [varied], goal: true });
    }
    const generated = `${dir}/rules-5000.yml`;
    await Deno.writeTextFile(generated, generateRuleFile(5000));
    cases.push({ name: "5,000 generated rules (8 shapes)", files: [generated], goal: true });
    const empty = `${dir}/empty.yml`;
    await Deno.writeTextFile(empty, "");
    cases.push({ name: "startup floor (empty file)", files: [empty], goal: false });

    const rows: BenchRow[] = [];
    for (const c of cases) {
      const commands = {
        promtool: ["promtool", "check", "rules", ...c.files],
        lint: lintCmd(c.files),
      };
      // Warm both once (page cache, Deno's module cache), then alternate 3 runs each.
      for (const cmd of Object.values(commands)) await measure(cmd);
      const runs = { promtool: [] as Measure[], lint: [] as Measure[] };
      for (let i = 0; i < 3; i++) {
        runs.promtool.push(await measure(commands.promtool));
        runs.lint.push(await measure(commands.lint));
      }
      for (const [name, ms] of Object.entries(runs)) {
        // The linter exits 1 on the corpus: its findings beyond promtool (reviewed true
        // positives, tests/lint/real_world_test.ts) include an error. 2 is a failure.
        if (ms.some((m) => m.code > (name === "lint" ? 1 : 0))) {
          throw new Error(`bench: ${name} failed on ${c.name}`);
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
      rows.push(
        {
          area: "lint",
          name: `${c.name}, wall`,
          value: l.wall,
          unit: "s",
          anchor: { name: "promtool 2.42", value: p.wall },
          ratio: l.wall / p.wall,
          ...(c.goal ? { goal: "<= 0.5x", pass: l.wall / p.wall <= 0.5 } : {}),
        },
        {
          area: "lint",
          name: `${c.name}, peak RSS`,
          value: l.rss,
          unit: "MB",
          anchor: { name: "promtool 2.42", value: p.rss },
          ratio: l.rss / p.rss,
          ...(c.goal ? { goal: "<= 1x", pass: l.rss <= p.rss } : {}),
        },
      );
    }
    // The floor of any Deno program here: `deno run` of an empty script.
    const script = `${dir}/empty.ts`;
    await Deno.writeTextFile(script, "");
    const bare = [] as Measure[];
    for (let i = 0; i < 3; i++) bare.push(await measure([Deno.execPath(), "run", script]));
    rows.push({
      area: "lint",
      name: "deno run of an empty script, wall (reference)",
      value: median(bare.map((m) => m.wallS)),
      unit: "s",
    });
    return rows;
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}
