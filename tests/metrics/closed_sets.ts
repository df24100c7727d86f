/**
 * Assertion helper: every series of an exposition takes label values only from the catalog's
 * closed sets (seed metrics) and stays within the product of those sets.
 *
 * @module
 */
import assert from "node:assert/strict";
import { createCatalog } from "../../src/metrics/catalog.ts";
import type { Exposition } from "../server/helpers.ts";

const SUFFIXES = ["_bucket", "_sum", "_count"];

/** The metric family a sample belongs to (histogram suffixes stripped when known). */
function familyOf(name: string, families: ReadonlyMap<string, unknown>): string {
  if (families.has(name)) return name;
  for (const s of SUFFIXES) {
    if (name.endsWith(s) && families.has(name.slice(0, -s.length))) {
      return name.slice(0, -s.length);
    }
  }
  return name;
}

/** Assert that every labelled seed series uses only closed-set values; returns the series count. */
export function assertClosedSets(e: Exposition, symbols: readonly string[]): number {
  const { labelValues } = createCatalog({ symbols });
  for (const s of e.samples) {
    const family = familyOf(s.name, labelValues);
    const closed = labelValues.get(family);
    if (!closed) continue;
    for (const [label, value] of Object.entries(s.labels)) {
      if (label === "le") continue;
      const allowed: readonly string[] | undefined = closed[label];
      assert.ok(allowed, `${s.name}: unexpected label ${label}`);
      assert.ok(
        allowed.includes(value),
        `${s.name}{${label}="${value}"} is outside its closed set`,
      );
    }
  }
  return e.samples.length;
}

/** The largest number of samples the closed sets allow for the labelled seed metrics. */
export function maxSeedSamples(symbols: readonly string[]): number {
  const { labelValues } = createCatalog({ symbols });
  let total = 0;
  for (const [family, labels] of labelValues) {
    const product = Object.values(labels).reduce((a, v) => a * v.length, 1);
    // A histogram series is 9 buckets + +Inf + _sum + _count samples.
    const histogram = family === "order_latency_seconds" ||
      family === "http_request_duration_seconds";
    total += product * (histogram ? 12 : 1);
  }
  return total;
}
