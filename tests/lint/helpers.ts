/**
 * Shared helpers of the lint tests: the corpus location, default options, one-line linting.
 *
 * @module
 */
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { LintOptions } from "../../src/lint/context.ts";
import { lintText } from "../../src/lint/lint.ts";
import type { Problem, PromVersion, Severity } from "../../src/lint/model.ts";
import assert from "node:assert/strict";
import { type CatalogIndex, loadServiceCatalog } from "../../src/lint/catalog.ts";
import { installed } from "../support/command.ts";

/** The repository root. */
export const REPO = fileURLToPath(new URL("../../", import.meta.url));

/** `../shared/rules-corpus` relative to the repository. */
export const CORPUS = join(REPO, "..", "shared", "rules-corpus");

/** Whether the shared corpus is present; warns visibly when it is not. */
export function corpusPresent(): boolean {
  try {
    Deno.statSync(join(CORPUS, "promtool-2.42-verdicts.tsv"));
    return true;
  } catch {
    console.warn(`tests/lint: the rule corpus is absent at ${CORPUS}; corpus tests are skipped`);
    return false;
  }
}

/** Whether Debian's promtool is on PATH. */
export function promtoolPresent(): boolean {
  return installed("promtool", "tests/lint", "live promtool comparisons are skipped");
}

let catalog: CatalogIndex | undefined;

/** The service catalog, loaded once. */
export async function serviceCatalog(): Promise<CatalogIndex> {
  catalog ??= await loadServiceCatalog();
  return catalog;
}

/** Options for a test run: 10 s scrape interval, no catalog unless given. */
export function options(over: Partial<LintOptions> = {}): LintOptions {
  return {
    prometheus: 3,
    nameValidation: "utf8",
    scrapeIntervalMs: 10_000,
    scrapeIntervalSource: "10s (test)",
    ...over,
  };
}

/** Lint YAML text; returns the problems. */
export function lint(text: string, over: Partial<LintOptions> = {}): Problem[] {
  return lintText("test.yml", text, options(over)).problems;
}

/** Problems of one check. */
export function lintCheck(check: string, text: string, over: Partial<LintOptions> = {}): Problem[] {
  return lint(text, over).filter((p) => p.check === check);
}

/**
 * A one-alert rule file: the alert name is on line 4 (value at column 16), the expression on
 * line 5 single-quoted, so offset i of the expression is at column 16 + i; extra YAML lines of
 * the rule follow from line 6 (keys at column 9).
 */
export function alertFile(expr: string, extra: string[] = [], kind = "alert: A"): string {
  return [
    "groups:",
    "  - name: g",
    "    rules:",
    `      - ${kind}`,
    `        expr: '${expr.replaceAll("'", "''")}'`,
    ...extra.map((l) => `        ${l}`),
    "",
  ].join("\n");
}

/** The column of offset `i` of an expression written by {@link alertFile}. */
export function exprCol(expr: string, part: string, nth = 0): number {
  let at = -1;
  for (let k = 0; k <= nth; k++) at = expr.indexOf(part, at + 1);
  if (at === -1) throw new Error(`test setup: "${part}" not in ${expr}`);
  return 16 + at;
}

/** One table-driven case of a check: the problems it must report (that check's only). */
export interface Case {
  name: string;
  yaml: string;
  /** Options; `catalog: true` loads the service catalog. */
  opts?: Omit<Partial<LintOptions>, "catalog"> & { catalog?: boolean };
  /**
   * [severity, line, col, a part of the message, the offending text if it is pinned]; empty for
   * a clean case.
   */
  want: [Severity, number, number, string, string?][];
}

/** Register one Deno test per case of a check's table. */
export function checkTable(check: string, cases: Case[]): void {
  for (const c of cases) {
    Deno.test(`${check}: ${c.name}`, async () => {
      const { catalog, ...rest } = c.opts ?? {};
      const over: Partial<LintOptions> = { ...rest };
      if (catalog) over.catalog = await serviceCatalog();
      const all = lint(c.yaml, over);
      if (check !== "yaml/syntax") {
        assert.deepEqual(
          all.filter((p) => p.check === "yaml/syntax"),
          [],
          "the case is valid YAML",
        );
      }
      const got = all.filter((p) => p.check === check);
      const summary = got.map((p) => [p.severity, p.line, p.col, p.message]);
      assert.equal(got.length, c.want.length, `problems: ${JSON.stringify(summary)}`);
      c.want.forEach(([severity, line, col, part, text], i) => {
        const p = got[i];
        assert.equal(p.severity, severity, JSON.stringify(summary));
        assert.equal(`${p.line}:${p.col}`, `${line}:${col}`, JSON.stringify(summary));
        assert.ok(p.message.includes(part), `"${p.message}" should include "${part}"`);
        assert.ok(p.text.length > 0, "problems carry the offending text");
        if (text !== undefined) assert.equal(p.text, text, JSON.stringify(summary));
      });
    });
  }
}

/** Both Prometheus versions. */
export const VERSIONS: PromVersion[] = [2, 3];
