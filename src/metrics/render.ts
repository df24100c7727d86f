/**
 * A faster rendering of a prom-client registry, byte-for-byte identical to prom-client's own
 * (`Registry#metrics()` in the text and OpenMetrics content types), for the scrape-time goal:
 * measured here, prom-client renders 10,000 series in 10-20 ms idle and 27 ms over HTTP under
 * load (goal: 25 ms), most of it re-formatting and re-escaping every label set and allocating
 * per-sample objects on every scrape. This renderer reads the same stored series, runs the same
 * `collect()` hooks, and caches each series' formatted label set by its prom-client hash key, so
 * a scrape is mostly string concatenation.
 *
 * It handles counters, gauges and histograms without exemplars or default labels, reading the
 * storage layout of prom-client 15 (pinned in deno.json); anything else, or any layout it does not
 * recognise, makes it return null and the caller renders with prom-client. A test compares both
 * renderings on a registry with every shape and awkward label values.
 *
 * @module
 */
import type { Registry } from "prom-client";

// deno-lint-ignore no-explicit-any
type AnyMetric = any;

interface Cache {
  /** Formatted label set (`a="x",b="y"`) by prom-client hash key. */
  labels: Map<string, string>;
}

const caches = new WeakMap<object, Cache>();

function escapeString(s: string): string {
  return s.replace(/\\/g, "\\\\").replace(/\n/g, "\\n");
}

function escapeLabelValue(v: unknown): unknown {
  return typeof v === "string" ? escapeString(v).replace(/"/g, '\\"') : v;
}

function formatLabelSet(labels: Record<string, unknown>): string {
  let out = "";
  for (const name in labels) {
    if (!Object.prototype.hasOwnProperty.call(labels, name)) continue;
    out += (out ? "," : "") + `${name}="${escapeLabelValue(labels[name])}"`;
  }
  return out;
}

function valueString(v: number): string {
  if (Number.isNaN(v)) return "Nan";
  if (!Number.isFinite(v)) return v < 0 ? "-Inf" : "+Inf";
  return `${v}`;
}

function cacheOf(metric: object): Cache {
  let c = caches.get(metric);
  if (!c) {
    c = { labels: new Map() };
    caches.set(metric, c);
  }
  return c;
}

function labelsFor(cache: Cache, hash: string, labels: Record<string, unknown>): string {
  let s = cache.labels.get(hash);
  if (s === undefined) {
    s = formatLabelSet(labels);
    if (cache.labels.size > 100_000) cache.labels.clear(); // bounded, whatever happens
    cache.labels.set(hash, s);
  }
  return s;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null;

async function renderMetric(metric: AnyMetric, openMetrics: boolean): Promise<string | null> {
  if (metric.enableExemplars) return null;
  const type = metric.type;
  if (type !== "counter" && type !== "gauge" && type !== "histogram") return null;
  if (typeof metric.collect === "function") {
    const v = metric.collect();
    if (v instanceof Promise) await v;
  }
  const hashMap = metric.hashMap;
  if (!isObject(hashMap)) return null;
  const name: string = openMetrics && type === "counter"
    ? String(metric.name).replace(/_total$/, "")
    : metric.name;
  const escapedName = escapeString(name);
  const lines = [
    `# HELP ${escapedName} ${escapeString(metric.help)}`,
    `# TYPE ${escapedName} ${type}`,
  ];
  const cache = cacheOf(metric);
  if (type !== "histogram") {
    const sample = openMetrics && type === "counter" ? `${escapedName}_total` : escapedName;
    for (const hash in hashMap) {
      const e = hashMap[hash];
      if (!isObject(e) || typeof e.value !== "number" || !isObject(e.labels)) return null;
      const l = labelsFor(cache, hash, e.labels);
      lines.push(
        l ? `${sample}{${l}} ${valueString(e.value)}` : `${sample} ${valueString(e.value)}`,
      );
    }
    return lines.join("\n");
  }
  const bounds: unknown = metric.upperBounds;
  if (!Array.isArray(bounds)) return null;
  const bucket = `${name}_bucket`;
  const les = bounds.map((b) => `le="${b}"`);
  for (const hash in hashMap) {
    const e = hashMap[hash];
    if (
      !isObject(e) || typeof e.sum !== "number" || typeof e.count !== "number" ||
      !isObject(e.labels) || !isObject(e.bucketValues)
    ) {
      return null;
    }
    const shared = labelsFor(cache, hash, e.labels);
    const tail = shared ? `,${shared}}` : "}";
    let acc = 0;
    for (let i = 0; i < bounds.length; i++) {
      const n = e.bucketValues[bounds[i]];
      if (typeof n !== "number") return null;
      acc += n;
      lines.push(`${bucket}{${les[i]}${tail} ${valueString(acc)}`);
    }
    lines.push(`${bucket}{le="+Inf"${tail} ${valueString(e.count)}`);
    const suffix = shared ? `{${shared}}` : "";
    lines.push(`${name}_sum${suffix} ${valueString(e.sum)}`);
    lines.push(`${name}_count${suffix} ${valueString(e.count)}`);
  }
  return lines.join("\n");
}

/**
 * Render `registry` like prom-client would in the given format, or null when it holds something
 * this renderer does not handle (the caller then uses prom-client).
 */
export async function renderRegistry(
  registry: Registry,
  openMetrics: boolean,
): Promise<string | null> {
  const internals = registry as unknown as { _defaultLabels?: Record<string, unknown> };
  if (!isObject(internals._defaultLabels) || Object.keys(internals._defaultLabels).length) {
    return null;
  }
  const metrics = registry.getMetricsAsArray();
  // Like prom-client: every collect() hook starts before any rendering awaits.
  const parts = await Promise.all(metrics.map((m) => renderMetric(m, openMetrics)));
  if (parts.some((p) => p === null)) return null;
  return openMetrics ? `${parts.join("\n")}\n# EOF\n` : `${parts.join("\n\n")}\n`;
}
