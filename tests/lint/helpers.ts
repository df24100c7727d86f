/**
 * Shared helpers of the lint tests: the corpus location, default options, one-line linting.
 *
 * @module
 */
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { LintOptions } from "../../src/lint/context.ts";
import { lintText } from "../../src/lint/lint.ts";
import type { Problem, PromVersion } from "../../src/lint/model.ts";
import { type CatalogIndex, loadServiceCatalog } from "../../src/lint/catalog.ts";

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
  try {
    new Deno.Command("promtool", { args: ["--version"], stdout: "null", stderr: "null" })
      .outputSync();
    return true;
  } catch {
    console.warn("tests/lint: promtool is not installed; live promtool comparisons are skipped");
    return false;
  }
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

/** A one-alert rule file around an expression and optional extra YAML lines for the rule. */
export function alertFile(expr: string, extra: string[] = []): string {
  return [
    "groups:",
    "  - name: g",
    "    rules:",
    "      - alert: A",
    `        expr: ${JSON.stringify(expr)}`,
    ...extra.map((l) => `        ${l}`),
    "",
  ].join("\n");
}

/** Both Prometheus versions. */
export const VERSIONS: PromVersion[] = [2, 3];
