/**
 * Conformance on rules nobody here wrote: `../shared/rules-corpus/real-world/` (kube-prometheus,
 * Thanos and Loki rule files as published, with promtool 2.42's verdicts). In
 * `--prometheus 2 --catalog none` mode, a file promtool accepts gets no error of a kind promtool
 * checks; promtool's duplicate-rule lint and ours fire on the same files; and every finding
 * beyond promtool is listed here, each one reviewed as a true positive. A new finding on this
 * corpus (a false positive until reviewed) fails the test. The corpus is read where it lies,
 * never copied into the repository.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { lintText } from "../../src/lint/lint.ts";
import { CHECKS } from "../../src/lint/checks/mod.ts";
import { RunCache } from "../../src/lint/cache.ts";
import { CORPUS, options, promtoolPresent, REPO } from "./helpers.ts";
import { readScrapeSettings } from "../../src/lint/config.ts";
import { loadServiceCatalog } from "../../src/lint/catalog.ts";

const DIR = join(CORPUS, "real-world");

function present(): boolean {
  try {
    Deno.statSync(join(DIR, "verdicts.tsv"));
    return true;
  } catch {
    console.warn(`tests/lint: the real-world rule corpus is absent at ${DIR}; skipped`);
    return false;
  }
}
const HAVE = present();

/** Checks whose kind of problem promtool checks too. */
const PROMTOOL_KINDS = new Set([
  "yaml/syntax",
  "yaml/strict",
  ...CHECKS.filter((c) => c.kind === "promtool").map((c) => c.name),
]);

/**
 * Every finding beyond promtool on the corpus, as `file:line:check`, each a true positive:
 * - alertmanager 39, 48: `min by (namespace,service, integration)` drops `job`, which the
 *   description prints as `{{$labels.job}}` (always empty);
 * - alertmanager 57: `count by (namespace,service) (count_values by (namespace,service) …)`,
 *   description uses `$labels.job`;
 * - alertmanager 66, 75: `count by (namespace,service) (…) / count by (namespace,service) (…)`,
 *   description uses `$labels.job`;
 * - thanos_alerts 550: `histogram_quantile(0.99, sum by (job) (rate(…_bucket[5m])))` aggregates
 *   `le` away, so the quantile is NaN (named in the corpus' SOURCE.txt).
 */
const BEYOND = [
  "kube-prometheus_alertmanager-prometheusRule.yaml:39:alerts/template-labels",
  "kube-prometheus_alertmanager-prometheusRule.yaml:48:alerts/template-labels",
  "kube-prometheus_alertmanager-prometheusRule.yaml:57:alerts/template-labels",
  "kube-prometheus_alertmanager-prometheusRule.yaml:66:alerts/template-labels",
  "kube-prometheus_alertmanager-prometheusRule.yaml:75:alerts/template-labels",
  "thanos_alerts.yaml:550:promql/histogram",
];

function verdicts(): { file: string; exit: number; duplicates: boolean }[] {
  const tsv = Deno.readTextFileSync(join(DIR, "verdicts.tsv"));
  return tsv.trim().split("\n").slice(1).map((l) => {
    const [file, exit, first = ""] = l.split("\t");
    return {
      file: file.replace(/^real-world\//, ""),
      exit: Number(exit),
      duplicates: first.includes("duplicate rule"),
    };
  });
}

for (const prometheus of [2, 3] as const) {
  Deno.test({
    name: `real-world corpus (${prometheus} mode, --catalog none): promtool's verdicts, ` +
      "reviewed findings only",
    ignore: !HAVE,
    fn() {
      const rows = verdicts();
      assert.ok(rows.length >= 12, "the corpus has its files");
      const cache = new RunCache();
      const promtoolErrors: string[] = [];
      const beyond: string[] = [];
      let rules = 0;
      for (const { file, exit, duplicates } of rows) {
        const r = lintText(
          file,
          Deno.readTextFileSync(join(DIR, file)),
          options({ prometheus, catalog: undefined }),
          false,
          cache,
        );
        rules += r.rules;
        for (const p of r.problems) {
          const where = `${file}:${p.line}:${p.check}`;
          if (PROMTOOL_KINDS.has(p.check)) {
            if (exit === 0 && p.severity === "error") {
              promtoolErrors.push(`${where}: ${p.message}`);
            }
          } else beyond.push(where);
        }
        const dup = r.problems.some((p) => p.check === "rule/duplicate");
        assert.equal(dup, duplicates, `${file}: duplicate-rule lint as promtool's`);
      }
      console.log(
        `real-world (${prometheus} mode): ${rows.length} files, ${rules} rules, ` +
          `${promtoolErrors.length} errors of promtool's kinds, ${beyond.length} findings beyond`,
      );
      assert.deepEqual(promtoolErrors, []);
      assert.deepEqual(beyond, BEYOND);
      assert.ok(rules > 300, `${rules} rules`);
    },
  });
}

Deno.test({
  name: "real-world corpus with the service catalog and configs/prometheus.yml: other jobs' " +
    "metrics are notices, never errors",
  ignore: !HAVE,
  async fn() {
    const config = join(REPO, "configs", "prometheus.yml");
    const scrape = readScrapeSettings(Deno.readTextFileSync(config), config);
    const catalog = await loadServiceCatalog(scrape.targetLabels, scrape.jobs);
    const cache = new RunCache();
    const found: string[] = [];
    for (const { file } of verdicts()) {
      const r = lintText(
        file,
        Deno.readTextFileSync(join(DIR, file)),
        options({ prometheus: 2, catalog }),
        false,
        cache,
      );
      for (const p of r.problems) {
        if (p.severity === "info" || p.check === "rule/duplicate") continue;
        found.push(`${file}:${p.line}:${p.check}`);
      }
    }
    assert.deepEqual(found, BEYOND);
  },
});

Deno.test({
  name: "real-world corpus: Debian's promtool 2.42 accepts every file (live)",
  ignore: !HAVE || !promtoolPresent(),
  async fn() {
    const files = verdicts().map((v) => join(DIR, v.file));
    const out = await new Deno.Command("promtool", {
      args: ["check", "rules", ...files],
      stdout: "null",
      stderr: "piped",
    }).output();
    assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
  },
});
