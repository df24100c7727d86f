/**
 * The protobuf exposition (`application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily;
 * encoding=delimited`): length-delimited `MetricFamily` messages of Prometheus' `metrics.proto`
 * (prometheus/client_model, proto2), encoded with protobufjs from the adapter's snapshot. This is
 * the only format that carries native histograms: their schema, zero bucket and positive spans
 * and deltas go beside the classic buckets, which stay. Exemplars ride on counters and buckets.
 *
 * The schema below is Prometheus' `metrics.proto` (prompb/io/prometheus/client: client_model's,
 * with the final native-histogram field numbers, which Prometheus 2.42 decodes; client_model's
 * older `sb_*` numbering is refused by it) as protobufjs JSON (the light build has no .proto
 * parser), plus `google.protobuf.Timestamp`.
 *
 * @module
 */
import protobuf from "protobufjs/light.js";
import type { Exemplar as ExemplarData } from "./exemplar.ts";
import { spansAndDeltas } from "./native_histogram.ts";
import type { FamilySnapshot, HistogramSeries } from "./prom_adapter.ts";

/** Content type of the delimited protobuf exposition. */
export const PROTOBUF_CONTENT_TYPE =
  "application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=delimited";

const opt = (type: string, id: number) => ({ type, id });
const rep = (type: string, id: number) => ({ rule: "repeated", type, id });
// Repeated scalars unpacked, as client_golang (proto2) sends them; Prometheus reads both.
const unpacked = (type: string, id: number) => ({ ...rep(type, id), options: { packed: false } });

const root = protobuf.Root.fromJSON({
  nested: {
    google: {
      nested: {
        protobuf: {
          nested: {
            Timestamp: { fields: { seconds: opt("int64", 1), nanos: opt("int32", 2) } },
          },
        },
      },
    },
    io: {
      nested: {
        prometheus: {
          nested: {
            client: {
              nested: {
                LabelPair: { fields: { name: opt("string", 1), value: opt("string", 2) } },
                MetricType: {
                  values: {
                    COUNTER: 0,
                    GAUGE: 1,
                    SUMMARY: 2,
                    UNTYPED: 3,
                    HISTOGRAM: 4,
                    GAUGE_HISTOGRAM: 5,
                  },
                },
                Gauge: { fields: { value: opt("double", 1) } },
                Counter: { fields: { value: opt("double", 1), exemplar: opt("Exemplar", 2) } },
                Histogram: {
                  fields: {
                    sample_count: opt("uint64", 1),
                    sample_count_float: opt("double", 4),
                    sample_sum: opt("double", 2),
                    bucket: rep("Bucket", 3),
                    schema: opt("sint32", 5),
                    zero_threshold: opt("double", 6),
                    zero_count: opt("uint64", 7),
                    zero_count_float: opt("double", 8),
                    negative_span: rep("BucketSpan", 9),
                    negative_delta: unpacked("sint64", 10),
                    negative_count: unpacked("double", 11),
                    positive_span: rep("BucketSpan", 12),
                    positive_delta: unpacked("sint64", 13),
                    positive_count: unpacked("double", 14),
                    exemplars: rep("Exemplar", 16),
                  },
                },
                Bucket: {
                  fields: {
                    cumulative_count: opt("uint64", 1),
                    cumulative_count_float: opt("double", 4),
                    upper_bound: opt("double", 2),
                    exemplar: opt("Exemplar", 3),
                  },
                },
                BucketSpan: { fields: { offset: opt("sint32", 1), length: opt("uint32", 2) } },
                Exemplar: {
                  fields: {
                    label: rep("LabelPair", 1),
                    value: opt("double", 2),
                    timestamp: opt("google.protobuf.Timestamp", 3),
                  },
                },
                Metric: {
                  fields: {
                    label: rep("LabelPair", 1),
                    gauge: opt("Gauge", 2),
                    counter: opt("Counter", 3),
                    histogram: opt("Histogram", 7),
                    timestamp_ms: opt("int64", 6),
                  },
                },
                MetricFamily: {
                  fields: {
                    name: opt("string", 1),
                    help: opt("string", 2),
                    type: opt("MetricType", 3),
                    metric: rep("Metric", 4),
                  },
                },
              },
            },
          },
        },
      },
    },
  },
});

root.resolveAll();

/** The `MetricFamily` message type (for tests that decode what was encoded). */
export const MetricFamily: protobuf.Type = root.lookupType("io.prometheus.client.MetricFamily");
const type = (name: string) => root.lookupType(`io.prometheus.client.${name}`);
const LabelPair = type("LabelPair");
const Exemplar = type("Exemplar");

/** A field's key (number and wire type), from the schema above. */
function tag(message: protobuf.Type, field: string): number {
  const f = message.fields[field];
  const wire = f.resolvedType instanceof protobuf.Enum
    ? 0
    : f.resolvedType
    ? 2
    : (protobuf.types.basic as Record<string, number>)[f.type];
  return ((f.id << 3) | wire) >>> 0;
}

/** The keys of a message's fields, by the names this module gives them. */
function tags<K extends string>(message: string, fields: Record<K, string>): Record<K, number> {
  const m = type(message);
  const keys = {} as Record<K, number>;
  for (const k in fields) keys[k] = tag(m, fields[k]);
  return keys;
}

const T = {
  family: tags("MetricFamily", { name: "name", help: "help", type: "type", metric: "metric" }),
  metric: tags("Metric", {
    label: "label",
    gauge: "gauge",
    counter: "counter",
    histogram: "histogram",
  }),
  value: tag(type("Gauge"), "value"),
  counter: tags("Counter", { value: "value", exemplar: "exemplar" }),
  histogram: tags("Histogram", {
    count: "sample_count",
    sum: "sample_sum",
    bucket: "bucket",
    schema: "schema",
    zeroThreshold: "zero_threshold",
    zeroCount: "zero_count",
    positiveSpan: "positive_span",
    positiveDelta: "positive_delta",
  }),
  bucket: tags("Bucket", { count: "cumulative_count", bound: "upper_bound", exemplar: "exemplar" }),
  span: tags("BucketSpan", { offset: "offset", length: "length" }),
};

const TYPE = { counter: 0, gauge: 1, histogram: 4 } as const;

/** The size of `n` (unsigned, < 2^32) as a varint. */
function varintSize(n: number): number {
  return n < 0x80 ? 1 : n < 0x4000 ? 2 : n < 0x200000 ? 3 : n < 0x10000000 ? 4 : 5;
}

interface SeriesBytes {
  /** The label fields of a `Metric`, encoded (key, length and `LabelPair`, for each label). */
  labels: Uint8Array;
  /**
   * For counters and gauges: everything of the `Metric` before the value's 8 bytes when there is
   * no exemplar (the metric key and length, the labels, the value message's key and length, the
   * double's key), so that a series is one `raw()` and one `double()`.
   */
  head: Uint8Array | null;
}

/** A double field: one key byte and 8 bytes. */
const DOUBLE_FIELD = 9;

/** Encoded label fields by series key, per metric (built once per series, like text's labels). */
const seriesCache = new WeakMap<object, Map<string, SeriesBytes>>();

function seriesBytes(
  metric: object,
  key: string,
  labels: Record<string, string>,
  value?: { field: number; key: number },
): SeriesBytes {
  let cache = seriesCache.get(metric);
  if (!cache) seriesCache.set(metric, cache = new Map());
  let b = cache.get(key);
  if (!b) {
    const w = protobuf.Writer.create();
    for (const name of Object.keys(labels)) {
      w.uint32(T.metric.label).bytes(
        LabelPair.encode({ name, value: String(labels[name]) }).finish(),
      );
    }
    const block = w.finish();
    let head: Uint8Array | null = null;
    if (value) {
      const h = protobuf.Writer.create();
      h.uint32(T.family.metric).uint32(block.length + 2 + DOUBLE_FIELD).raw(block)
        .uint32(value.field).uint32(DOUBLE_FIELD).uint32(value.key);
      head = h.finish();
    }
    b = { labels: block, head };
    if (cache.size > 100_000) cache.clear();
    cache.set(key, b);
  }
  return b;
}

/** Encoded exemplars (an exemplar is never changed once stored: a new one replaces it). */
const exemplarCache = new WeakMap<ExemplarData, Uint8Array>();

function exemplarBytes(e: ExemplarData): Uint8Array {
  let b = exemplarCache.get(e);
  if (!b) {
    const seconds = Math.floor(e.timestampMs / 1000);
    b = Exemplar.encode({
      label: Object.entries(e.labels).map(([name, value]) => ({ name, value: String(value) })),
      value: e.value,
      timestamp: { seconds, nanos: Math.round((e.timestampMs - seconds * 1000) * 1e6) },
    }).finish();
    exemplarCache.set(e, b);
  }
  return b;
}

/**
 * Write one counter or gauge `Metric` with its length computed up front: the messages are small
 * and fixed (a double, maybe an exemplar), and protobufjs' `fork()`/`ldelim()` moves every nested
 * message's bytes once more (measured: the largest cost of the encoding).
 */
function writeValueMetric(
  w: protobuf.Writer,
  b: SeriesBytes,
  field: number,
  valueKey: number,
  value: number,
  exemplar?: { key: number; bytes: Uint8Array },
): void {
  if (!exemplar && b.head) {
    w.raw(b.head).double(value);
    return;
  }
  const inner = DOUBLE_FIELD +
    (exemplar ? 1 + varintSize(exemplar.bytes.length) + exemplar.bytes.length : 0);
  w.uint32(T.family.metric).uint32(b.labels.length + 1 + varintSize(inner) + inner)
    .raw(b.labels).uint32(field).uint32(inner).uint32(valueKey).double(value);
  if (exemplar) w.uint32(exemplar.key).bytes(exemplar.bytes);
}

function writeHistogram(w: protobuf.Writer, s: HistogramSeries, bounds: readonly number[]): void {
  const H = T.histogram;
  const B = T.bucket;
  w.uint32(H.count).uint64(s.count).uint32(H.sum).double(s.sum);
  const ex = s.exemplars;
  for (let i = 0; i <= bounds.length; i++) {
    const last = i === bounds.length;
    w.uint32(H.bucket).fork()
      .uint32(B.count).uint64(last ? s.count : s.cumulative[i])
      .uint32(B.bound).double(last ? Infinity : bounds[i]);
    const e = ex?.[i];
    if (e) w.uint32(B.exemplar).bytes(exemplarBytes(e));
    w.ldelim();
  }
  const n = s.native;
  if (!n) return;
  w.uint32(H.schema).sint32(n.schema).uint32(H.zeroThreshold).double(n.zeroThreshold)
    .uint32(H.zeroCount).uint64(n.zeroCount);
  const { spans, deltas } = n.positive.length
    ? spansAndDeltas(n.positive)
    // A no-op span, as client_golang sends for a native histogram without observations, so
    // that it is never mistaken for a classic one.
    : { spans: [{ offset: 0, length: 0 }], deltas: [] };
  for (const sp of spans) {
    w.uint32(H.positiveSpan).fork().uint32(T.span.offset).sint32(sp.offset)
      .uint32(T.span.length).uint32(sp.length).ldelim();
  }
  for (const d of deltas) w.uint32(H.positiveDelta).sint64(d);
}

/**
 * Encode a snapshot as delimited `MetricFamily` messages, with protobufjs' writer driven field
 * by field and each series' encoded label pairs cached: measured on the 10,000-series registry,
 * encoding plain message objects with `MetricFamily.encodeDelimited` took 2.9 ms (min of 50)
 * against 1.2 ms for the text rendering, which caches its label strings the same way; field by
 * field with fork/ldelim, 1.4 ms; with counter and gauge lengths computed up front, see below.
 */
export function encodeProtobuf(families: readonly FamilySnapshot[]): Uint8Array {
  const w = protobuf.Writer.create();
  const F = T.family;
  const M = T.metric;
  const counterValue = { field: M.counter, key: T.counter.value };
  const gaugeValue = { field: M.gauge, key: T.value };
  for (const f of families) {
    w.fork(); // length-delimited, as encodeDelimited writes it
    w.uint32(F.name).string(f.name).uint32(F.help).string(f.help).uint32(F.type).int32(
      TYPE[f.type],
    );
    if (f.type === "histogram") {
      for (const s of f.series) {
        w.uint32(F.metric).fork();
        w.raw(seriesBytes(f.metric, s.key, s.labels).labels);
        w.uint32(M.histogram).fork();
        writeHistogram(w, s, f.bounds);
        w.ldelim().ldelim();
      }
    } else if (f.type === "counter") {
      for (const s of f.series) {
        writeValueMetric(
          w,
          seriesBytes(f.metric, s.key, s.labels, counterValue),
          M.counter,
          T.counter.value,
          s.value,
          s.exemplar ? { key: T.counter.exemplar, bytes: exemplarBytes(s.exemplar) } : undefined,
        );
      }
    } else {
      for (const s of f.series) {
        writeValueMetric(
          w,
          seriesBytes(f.metric, s.key, s.labels, gaugeValue),
          M.gauge,
          T.value,
          s.value,
        );
      }
    }
    w.ldelim();
  }
  const b = w.finish(); // a Node Buffer under Deno: answered as a plain Uint8Array view
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}
