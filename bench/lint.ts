/**
 * Benchmarks of the lint area (placeholder until its issue lands).
 *
 * @module
 */
import type { BenchRow } from "./table.ts";

/** Run the lint benchmarks. */
export function run(): Promise<BenchRow[]> {
  return Promise.resolve([]);
}
