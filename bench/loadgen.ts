/**
 * Benchmarks of the loadgen area (placeholder until its issue lands).
 *
 * @module
 */
import type { BenchRow } from "./table.ts";

/** Run the loadgen benchmarks. */
export function run(): Promise<BenchRow[]> {
  return Promise.resolve([]);
}
