/**
 * Benchmarks of the server area (placeholder until its issue lands).
 *
 * @module
 */
import type { BenchRow } from "./table.ts";

/** Run the server benchmarks. */
export function run(): Promise<BenchRow[]> {
  return Promise.resolve([]);
}
