/**
 * Native (sparse, exponential) histogram buckets, as Prometheus defines them and client_golang
 * computes them: at schema `s`, bucket `i` holds the values in `(2^((i-1)/2^s), 2^(i/2^s)]`;
 * values at or below the zero threshold go to the zero bucket. The schema is picked from a bucket
 * factor the way client_golang's `NativeHistogramBucketFactor` does (the largest resolution whose
 * bucket-to-bucket growth is at most the factor). When a series holds more buckets than allowed,
 * the resolution is halved (schema - 1, neighbouring buckets merged), as client_golang does.
 *
 * Only finite observations >= 0 are expected (latencies; the callers check): there are no
 * negative buckets.
 *
 * @module
 */

/** Smallest and largest schema Prometheus accepts. */
export const MIN_SCHEMA = -4;
export const MAX_SCHEMA = 8;
/** client_golang's default zero threshold (`DefNativeHistogramZeroThreshold`, 2^-128). */
export const DEFAULT_ZERO_THRESHOLD = 2 ** -128;

/**
 * Populated buckets per series before the resolution is halved: client_golang's recommended
 * `NativeHistogramMaxBucketNumber` (latencies from 10 µs to 10 s need about 160 at schema 3).
 */
export const NATIVE_MAX_BUCKETS = 160;

/** Settings of the native buckets of a histogram. */
export interface NativeHistogramOptions {
  schema: number;
  zeroThreshold: number;
  /** Largest number of populated buckets per series before the resolution is halved. */
  maxBuckets: number;
}

/**
 * The schema for a bucket factor (client_golang's `pickSchema`): factor 1.1 gives schema 3
 * (growth 2^(1/8) = 1.09 per bucket), 2 gives 0, 4 gives -1.
 */
export function schemaForFactor(factor: number): number {
  if (!(factor > 1) || !Number.isFinite(factor)) {
    throw new RangeError(`bucket factor must be a number > 1, got ${factor}`);
  }
  const floor = Math.floor(Math.log2(Math.log2(factor)));
  if (floor <= -MAX_SCHEMA) return MAX_SCHEMA;
  if (floor >= -MIN_SCHEMA) return MIN_SCHEMA;
  return 0 - floor; // not -floor: -0 for factor 2
}

/** frexp: v = frac * 2^exp with frac in [0.5, 1), for finite v > 0. */
function frexp(v: number): [number, number] {
  let exp = Math.floor(Math.log2(v)) + 1;
  let frac = v / 2 ** exp;
  // Math.log2 can be off by one ulp near powers of two: put frac back into [0.5, 1).
  if (frac >= 1) {
    frac /= 2;
    exp += 1;
  } else if (frac < 0.5) {
    frac *= 2;
    exp -= 1;
  }
  return [frac, exp];
}

const boundsBySchema = new Map<number, number[]>();

/** The bucket boundaries within [0.5, 1) of a positive schema (client_golang's table). */
function fracBounds(schema: number): number[] {
  let b = boundsBySchema.get(schema);
  if (!b) {
    const n = 2 ** schema;
    b = Array.from({ length: n }, (_, i) => 2 ** (i / n - 1));
    boundsBySchema.set(schema, b);
  }
  return b;
}

/**
 * The index of the bucket holding `v` (finite, > 0) at `schema`: `ceil(log2(v) * 2^schema)`,
 * computed exactly as client_golang does (frexp and the bounds table) when `v` is within 1e-9 of
 * a boundary, where floating-point `log2` could land on the wrong side.
 */
export function bucketIndex(v: number, schema: number, scale = 2 ** schema): number {
  const x = Math.log2(v) * scale;
  const i = Math.ceil(x);
  if (i - x > 1e-9 && x - (i - 1) > 1e-9) return i;
  return exactBucketIndex(v, schema);
}

function exactBucketIndex(v: number, schema: number): number {
  const [frac, exp] = frexp(v);
  if (schema > 0) {
    const bounds = fracBounds(schema);
    // First bound >= frac (sort.SearchFloat64s), bounds are few (<= 256): binary search.
    let lo = 0;
    let hi = bounds.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (bounds[mid] < frac) lo = mid + 1;
      else hi = mid;
    }
    return lo + (exp - 1) * bounds.length;
  }
  let key = exp;
  if (frac === 0.5) key--;
  const offset = (1 << -schema) - 1;
  return (key + offset) >> -schema;
}

/** The upper bound of bucket `index` at `schema`. */
export function bucketUpperBound(index: number, schema: number): number {
  return 2 ** (index / 2 ** schema);
}

/** A consistent copy of a native histogram's state, for exposition. */
export interface NativeSnapshot {
  schema: number;
  zeroThreshold: number;
  zeroCount: number;
  /** Populated positive buckets as [index, count], ascending by index. */
  positive: [number, number][];
}

/** The native buckets of one series. */
export class NativeBuckets {
  #schema: number;
  #scale: number;
  readonly #zeroThreshold: number;
  readonly #maxBuckets: number;
  #zeroCount = 0;
  #positive = new Map<number, number>();

  /** Empty buckets with the given settings. */
  constructor(options: NativeHistogramOptions) {
    this.#schema = options.schema;
    this.#scale = 2 ** options.schema;
    this.#zeroThreshold = options.zeroThreshold;
    this.#maxBuckets = options.maxBuckets;
  }

  /** Count one observation (finite, >= 0). */
  observe(v: number): void {
    if (v <= this.#zeroThreshold) {
      this.#zeroCount++;
      return;
    }
    const i = bucketIndex(v, this.#schema, this.#scale);
    const m = this.#positive;
    const n = m.get(i);
    if (n !== undefined) {
      m.set(i, n + 1);
      return;
    }
    m.set(i, 1);
    while (m.size > this.#maxBuckets && this.#schema > MIN_SCHEMA) this.#halveResolution();
  }

  #halveResolution(): void {
    const merged = new Map<number, number>();
    for (const [i, n] of this.#positive) {
      const j = Math.ceil(i / 2);
      merged.set(j, (merged.get(j) ?? 0) + n);
    }
    this.#positive = merged;
    this.#schema--;
    this.#scale = 2 ** this.#schema;
  }

  /** A copy of the current state. */
  snapshot(): NativeSnapshot {
    const positive = [...this.#positive].sort((a, b) => a[0] - b[0]);
    return {
      schema: this.#schema,
      zeroThreshold: this.#zeroThreshold,
      zeroCount: this.#zeroCount,
      positive,
    };
  }
}

/** Spans and deltas of sparse buckets, as the protobuf exposition carries them. */
export function spansAndDeltas(
  buckets: readonly [number, number][],
): { spans: { offset: number; length: number }[]; deltas: number[] } {
  const spans: { offset: number; length: number }[] = [];
  const deltas: number[] = [];
  let prevIndex = 0;
  let prevCount = 0;
  for (let k = 0; k < buckets.length; k++) {
    const [i, n] = buckets[k];
    if (k === 0) spans.push({ offset: i, length: 1 });
    else if (i === prevIndex + 1) spans[spans.length - 1].length++;
    else spans.push({ offset: i - prevIndex - 1, length: 1 });
    deltas.push(n - prevCount);
    prevIndex = i;
    prevCount = n;
  }
  return { spans, deltas };
}
