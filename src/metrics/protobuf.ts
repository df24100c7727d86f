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
import type { Exemplar } from "./exemplar.ts";
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

/** The `MetricFamily` message type (for tests that decode what was encoded). */
export const MetricFamily: protobuf.Type = root.lookupType("io.prometheus.client.MetricFamily");

const TYPE = { counter: 0, gauge: 1, histogram: 4 } as const;

interface LabelPair {
  name: string;
  value: string;
}

/** Label pairs by series key, per metric (the label objects of 10,000 series, built once). */
const pairCache = new WeakMap<object, Map<string, LabelPair[]>>();

function pairsFor(metric: object, key: string, labels: Record<string, string>): LabelPair[] {
  let cache = pairCache.get(metric);
  if (!cache) pairCache.set(metric, cache = new Map());
  let pairs = cache.get(key);
  if (!pairs) {
    pairs = Object.keys(labels).map((name) => ({ name, value: String(labels[name]) }));
    if (cache.size > 100_000) cache.clear();
    cache.set(key, pairs);
  }
  return pairs;
}

function exemplarMessage(e: Exemplar | undefined) {
  if (!e) return undefined;
  const seconds = Math.floor(e.timestampMs / 1000);
  return {
    label: Object.entries(e.labels).map(([name, value]) => ({ name, value: String(value) })),
    value: e.value,
    timestamp: { seconds, nanos: Math.round((e.timestampMs - seconds * 1000) * 1e6) },
  };
}

function histogramMessage(s: HistogramSeries, bounds: readonly number[]) {
  const bucket = bounds.map((upper_bound, i) => ({
    cumulative_count: s.cumulative[i],
    upper_bound,
    exemplar: exemplarMessage(s.exemplars?.[i]),
  }));
  bucket.push({
    cumulative_count: s.count,
    upper_bound: Infinity,
    exemplar: exemplarMessage(s.exemplars?.[bounds.length]),
  });
  const h: Record<string, unknown> = { sample_count: s.count, sample_sum: s.sum, bucket };
  if (s.native) {
    const n = s.native;
    h.schema = n.schema;
    h.zero_threshold = n.zeroThreshold;
    h.zero_count = n.zeroCount;
    if (n.positive.length) {
      const { spans, deltas } = spansAndDeltas(n.positive);
      h.positive_span = spans;
      h.positive_delta = deltas;
    } else {
      // A no-op span, as client_golang sends for a native histogram without observations, so
      // that it is never mistaken for a classic one.
      h.positive_span = [{ offset: 0, length: 0 }];
    }
  }
  return h;
}

/** Encode a snapshot as delimited `MetricFamily` messages. */
export function encodeProtobuf(families: readonly FamilySnapshot[]): Uint8Array {
  const writer = protobuf.Writer.create();
  for (const f of families) {
    const metric = f.type === "histogram"
      ? f.series.map((s) => ({
        label: pairsFor(f.metric, s.key, s.labels),
        histogram: histogramMessage(s, f.bounds),
      }))
      : f.series.map((s) => ({
        label: pairsFor(f.metric, s.key, s.labels),
        [f.type]: f.type === "counter"
          ? { value: s.value, exemplar: exemplarMessage(s.exemplar) }
          : { value: s.value },
      }));
    MetricFamily.encodeDelimited(
      { name: f.name, help: f.help, type: TYPE[f.type], metric },
      writer,
    );
  }
  return writer.finish();
}
