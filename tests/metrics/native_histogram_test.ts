/** Native bucket math as Prometheus defines it (client_golang's values), and its sparse encoding. */
import assert from "node:assert/strict";
import {
  bucketIndex,
  bucketUpperBound,
  MAX_SCHEMA,
  MIN_SCHEMA,
  NativeBuckets,
  schemaForFactor,
  spansAndDeltas,
} from "../../src/metrics/native_histogram.ts";

Deno.test("schemaForFactor picks the largest resolution within the factor (client_golang)", () => {
  const table: [number, number][] = [
    [1.1, 3],
    [1.09, 4], // 2^(1/8) = 1.0905 is too coarse
    [1.0906, 3],
    [1.2, 2],
    [1.5, 1],
    [2, 0],
    [4, -1],
    [16, -2],
    [1.00001, MAX_SCHEMA],
    [1e300, MIN_SCHEMA],
  ];
  for (const [factor, schema] of table) assert.equal(schemaForFactor(factor), schema, `${factor}`);
  for (const bad of [1, 0.5, NaN, Infinity, -2]) assert.throws(() => schemaForFactor(bad));
});

Deno.test("bucketIndex: v lies in (upper(i-1), upper(i)] at every schema", () => {
  const values = [1e-9, 0.0001, 0.001, 0.00123, 0.004, 0.0625, 0.1, 0.5, 1, 1.5, 2, 3, 1000, 1e9];
  for (let schema = MIN_SCHEMA; schema <= MAX_SCHEMA; schema++) {
    for (const v of values) {
      const i = bucketIndex(v, schema);
      const upper = bucketUpperBound(i, schema);
      const lower = bucketUpperBound(i - 1, schema);
      assert.ok(v <= upper * (1 + 1e-12) && v > lower * (1 - 1e-12), `${v} at ${schema}: ${i}`);
    }
  }
  // Log-uniform random values from 1 µs to 100 s, at the default schema and two others.
  let seed = 42;
  const rand = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  for (const schema of [-2, 3, 8]) {
    for (let k = 0; k < 20_000; k++) {
      const v = 10 ** (-6 + 8 * rand());
      const i = bucketIndex(v, schema);
      assert.ok(v <= bucketUpperBound(i, schema) * (1 + 1e-12), `${v} at ${schema}`);
      assert.ok(v > bucketUpperBound(i - 1, schema) * (1 - 1e-12), `${v} at ${schema}`);
    }
    // Powers of two (every 2^-schema-th one below schema 0) are exact boundaries: the top of
    // their bucket.
    for (let e = -20; e <= 20; e++) {
      const i = e * 2 ** schema;
      if (Number.isInteger(i)) assert.equal(bucketIndex(2 ** e, schema), i, `2^${e}`);
    }
  }
  // Boundaries are upper-inclusive, as in Prometheus: 1 is the top of bucket 0, 2 of bucket 2^s.
  assert.equal(bucketIndex(1, 3), 0);
  assert.equal(bucketIndex(2, 3), 8);
  assert.equal(bucketIndex(2, 0), 1);
  assert.equal(bucketIndex(4, -1), 1);
  assert.equal(bucketIndex(0.5, 0), -1);
});

Deno.test("NativeBuckets: zero bucket, counts, and the resolution halves past the limit", () => {
  const b = new NativeBuckets({ schema: 3, zeroThreshold: 2 ** -128, maxBuckets: 4 });
  b.observe(0);
  b.observe(1);
  b.observe(1);
  b.observe(2);
  let s = b.snapshot();
  assert.equal(s.zeroCount, 1);
  assert.deepEqual(s.positive, [[0, 2], [8, 1]]);
  for (const v of [3, 5, 9, 17]) b.observe(v); // 6 buckets at schema 3: beyond 4
  s = b.snapshot();
  assert.ok(s.schema < 3, `schema ${s.schema}`);
  assert.ok(s.positive.length <= 4);
  assert.equal(s.positive.reduce((a, [, n]) => a + n, 0), 7, "no observation lost");
  for (const [i] of s.positive) assert.ok(bucketUpperBound(i, s.schema) >= 1);
});

Deno.test("spansAndDeltas: spans of consecutive buckets, deltas between counts", () => {
  assert.deepEqual(spansAndDeltas([]), { spans: [], deltas: [] });
  assert.deepEqual(spansAndDeltas([[-3, 2], [-2, 5], [0, 1], [7, 1], [8, 4]]), {
    spans: [{ offset: -3, length: 2 }, { offset: 1, length: 1 }, { offset: 6, length: 2 }],
    deltas: [2, 3, -4, 0, 3],
  });
});
