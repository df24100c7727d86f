/**
 * Shared shape of benchmark results, so `deno task bench` prints one table.
 *
 * @module
 */

/** One measured figure, optionally with the anchor it is compared to and the goal. */
export interface BenchRow {
  /** Area: server, loadgen, lint. */
  area: string;
  /** What was measured, e.g. "GET /health rps". */
  name: string;
  value: number;
  unit: string;
  /** The anchor measured in the same run, e.g. wrk or bare Deno.serve. */
  anchor?: { name: string; value: number };
  /** ratio = value / anchor.value (or as the area defines it). */
  ratio?: number;
  /** The goal in words, e.g. ">= 0.8x". */
  goal?: string;
  /** Whether the goal was met. */
  pass?: boolean;
}

/** Format rows as a plain-text table. */
export function formatTable(rows: readonly BenchRow[]): string {
  const fmt = (n: number) =>
    Math.abs(n) >= 100 ? n.toFixed(0) : Math.abs(n) >= 1 ? n.toFixed(2) : n.toPrecision(3);
  const cells = rows.map((r) => [
    r.area,
    r.name,
    `${fmt(r.value)} ${r.unit}`,
    r.anchor ? `${r.anchor.name}: ${fmt(r.anchor.value)}` : "",
    r.ratio === undefined ? "" : `${r.ratio.toFixed(2)}x`,
    r.goal ?? "",
    r.pass === undefined ? "" : r.pass ? "ok" : "MISSED",
  ]);
  const head = ["area", "measure", "value", "anchor", "ratio", "goal", ""];
  const widths = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
  const line = (c: string[]) => c.map((x, i) => x.padEnd(widths[i])).join("  ").trimEnd();
  return [line(head), line(widths.map((w) => "-".repeat(w))), ...cells.map(line)].join("\n");
}
