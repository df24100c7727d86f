/**
 * The one module that knows prom-client's internals. Everything else uses what it offers:
 *
 * - series handles for the hot paths (`counter`, `gauge`, `histogram`): prom-client's
 *   `inc(labels)` / `observe(labels, v)` hash and validate the label object on every call
 *   (measured on the server: about 1 µs of a 10 µs request); a handle resolves its series once and
 *   then updates the stored value directly;
 * - `snapshot(registry)`: every metric's series as plain data, after running the `collect()`
 *   hooks, for the renderers (text, OpenMetrics, protobuf) in their own modules;
 * - exemplars and native buckets, which prom-client cannot keep with the fast paths (its exemplars
 *   need an OpenMetrics-only registry and bypass the fast rendering; it has no native histograms):
 *   they live here beside each series and are attached to its snapshot;
 * - `renderWithPromClient`: prom-client's own rendering, the fallback for registries holding
 *   what the snapshot does not handle.
 *
 * It relies on the storage layout of prom-client 15 (pinned in deno.json): `hashMap` entries
 * `{labels, value}` (counters, gauges) and `{labels, bucketValues, sum, count}` (histograms),
 * `upperBounds`, the registry's `_defaultLabels`. A self-check at creation exercises that layout on
 * throw-away metrics; if anything differs, the adapter works through the public API only (slower,
 * same results), and `direct` and `reason` say so. Both paths are tested.
 *
 * @module
 */
import type * as prom from "prom-client";
import CounterClass from "prom-client/lib/counter.js";
import GaugeClass from "prom-client/lib/gauge.js";
import HistogramClass from "prom-client/lib/histogram.js";
import RegistryClass from "prom-client/lib/registry.js";
import { hashObject } from "prom-client/lib/util.js";
import type { Exemplar, ExemplarLabels } from "./exemplar.ts";
import {
  NativeBuckets,
  type NativeHistogramOptions,
  type NativeSnapshot,
} from "./native_histogram.ts";

const Counter: typeof prom.Counter = CounterClass;
const Gauge: typeof prom.Gauge = GaugeClass;
const Histogram: typeof prom.Histogram = HistogramClass;
const Registry: typeof prom.Registry = RegistryClass;
type Registry = prom.Registry;
type Labels = Record<string, string>;

/** A counter series bound once. */
export interface CounterHandle {
  /** Add 1; `exemplar` labels it, observed at `timestampMs` (default: now). */
  inc(exemplar?: ExemplarLabels, timestampMs?: number): void;
  /** Whether the handle updates the series directly (false: through the public API). */
  readonly direct: boolean;
}

/** A gauge series bound once. */
export interface GaugeHandle {
  set(value: number): void;
  readonly direct: boolean;
}

/** A histogram series bound once. */
export interface HistogramHandle {
  /** Count `value`; `exemplar` labels it, observed at `timestampMs` (default: now). */
  observe(value: number, exemplar?: ExemplarLabels, timestampMs?: number): void;
  readonly direct: boolean;
}

/** One counter or gauge series at scrape time. */
export interface ValueSeries {
  /** Identifies the label set within its metric (stable while the series lives). */
  key: string;
  labels: Labels;
  value: number;
  exemplar?: Exemplar;
}

/** One histogram series at scrape time. */
export interface HistogramSeries {
  key: string;
  labels: Labels;
  /** Cumulative counts per upper bound (without +Inf). */
  cumulative: number[];
  count: number;
  sum: number;
  /** Per classic bucket (the last one is +Inf), the latest exemplar. */
  exemplars?: (Exemplar | undefined)[];
  native?: NativeSnapshot;
}

/** One metric family at scrape time. */
export type FamilySnapshot =
  & { metric: object; name: string; help: string }
  & (
    | { type: "counter" | "gauge"; series: ValueSeries[] }
    | { type: "histogram"; bounds: readonly number[]; series: HistogramSeries[] }
  );

/** What the renderers and the hot paths use of prom-client. */
export interface PromAdapter {
  /** Whether prom-client's internal layout passed the self-check (handles and snapshots direct). */
  readonly direct: boolean;
  /** Why the adapter works through the public API; null when direct. */
  readonly reason: string | null;
  counter<L extends string>(counter: prom.Counter<L>, labels: Record<L, string>): CounterHandle;
  gauge<L extends string>(gauge: prom.Gauge<L>, labels: Record<L, string>): GaugeHandle;
  /**
   * A histogram series handle; `native` adds native buckets to the series; `fresh` says the
   * series has no observations yet, so that the public-API path may create it at zero.
   */
  histogram<L extends string>(
    histogram: prom.Histogram<L>,
    labels: Record<L, string>,
    options?: { native?: NativeHistogramOptions | null; fresh?: boolean },
  ): HistogramHandle;
  /**
   * Every metric of `registry` as plain data (collect hooks run first, as prom-client does), or
   * null when it holds something the renderers do not handle (summaries, prom-client exemplars,
   * default labels): the caller then renders with prom-client.
   */
  snapshot(registry: Registry): Promise<FamilySnapshot[] | null>;
  /** prom-client's own rendering (text 0.0.4 or OpenMetrics 1.0.0), never changing `registry`. */
  renderWithPromClient(registry: Registry, openMetrics: boolean): Promise<string>;
}

/** Options of {@link createPromAdapter}. */
export interface PromAdapterOptions {
  /** `public` skips the internals entirely (tests of the fallback, or a distrusted upgrade). */
  mode?: "auto" | "public";
}

// deno-lint-ignore no-explicit-any
type AnyMetric = any;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null;

function sameLabels(a: Labels, b: Labels): boolean {
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  for (const k of ka) if (a[k] !== b[k]) return false;
  return true;
}

function findEntry(
  hashMap: unknown,
  labels: Labels,
  sortedLabelNames?: unknown,
): Record<string, unknown> | null {
  const key = findKey(hashMap, labels, sortedLabelNames);
  return key === null ? null : (hashMap as Record<string, Record<string, unknown>>)[key];
}

/**
 * The prom-client hash key of the series with these labels, or null: prom-client's own
 * `hashObject(labels, sortedLabelNames)` (the key it stores the series under), checked against
 * the stored labels, with a scan as the fallback.
 */
function findKey(hashMap: unknown, labels: Labels, sortedLabelNames?: unknown): string | null {
  if (!isObject(hashMap)) return null;
  if (Array.isArray(sortedLabelNames)) {
    const key: string = hashObject(labels, sortedLabelNames);
    const e = hashMap[key];
    if (isObject(e) && isObject(e.labels) && sameLabels(e.labels as Labels, labels)) return key;
    if (e === undefined) return null;
  }
  for (const key in hashMap) {
    const e = hashMap[key];
    if (isObject(e) && isObject(e.labels) && sameLabels(e.labels as Labels, labels)) return key;
  }
  return null;
}

const isValueEntry = (e: unknown): e is { labels: Labels; value: number } =>
  isObject(e) && typeof e.value === "number" && isObject(e.labels);

const isHistogramEntry = (
  e: unknown,
): e is { labels: Labels; bucketValues: Record<string, number>; sum: number; count: number } =>
  isObject(e) && typeof e.sum === "number" && typeof e.count === "number" &&
  isObject(e.bucketValues) && isObject(e.labels);

/** A label set's key, independent of prom-client (sorted names, values JSON-quoted). */
export function labelsKey(labels: Labels): string {
  let out = "";
  for (const k of Object.keys(labels).sort()) out += `${k}=${JSON.stringify(labels[k])},`;
  return out;
}

/**
 * Exercise prom-client's layout on throw-away metrics; null when it is what the direct paths
 * expect, else what differs.
 */
export function checkLayout(): string | null {
  try {
    const registry = new Registry();
    if (!isObject((registry as AnyMetric)._defaultLabels)) return "Registry#_defaultLabels";
    const registers = [registry];
    const c = new Counter({ name: "layout_check_total", help: "x", labelNames: ["a"], registers });
    c.inc({ a: "1" }, 2);
    const key = hashObject({ a: "1" }, (c as AnyMetric).sortedLabelNames);
    if (!isObject((c as AnyMetric).hashMap?.[key])) return "hashObject(labels, sortedLabelNames)";
    const ce = findEntry((c as AnyMetric).hashMap, { a: "1" });
    if (!isValueEntry(ce) || ce.value !== 2) return "Counter#hashMap {labels, value}";
    const g = new Gauge({ name: "layout_check", help: "x", labelNames: ["a"], registers });
    g.set({ a: "1" }, 5);
    if (!isValueEntry(findEntry((g as AnyMetric).hashMap, { a: "1" }))) {
      return "Gauge#hashMap {labels, value}";
    }
    const h = new Histogram({
      name: "layout_check_seconds",
      help: "x",
      labelNames: ["a"],
      buckets: [1, 2],
      registers,
    });
    h.observe({ a: "1" }, 1.5);
    const he = findEntry((h as AnyMetric).hashMap, { a: "1" });
    const bounds = (h as AnyMetric).upperBounds;
    if (!Array.isArray(bounds) || bounds.length !== 2 || bounds[1] !== 2) {
      return "Histogram#upperBounds";
    }
    if (
      !isHistogramEntry(he) || he.count !== 1 || he.sum !== 1.5 || he.bucketValues[1] !== 0 ||
      he.bucketValues[2] !== 1
    ) {
      return "Histogram#hashMap {labels, bucketValues, sum, count}";
    }
    return null;
  } catch (e) {
    return `self-check threw: ${e instanceof Error ? e.message : String(e)}`;
  }
}

interface Extras {
  /** Counters: the latest exemplar. */
  exemplar?: Exemplar;
  /** Histograms: the latest exemplar per classic bucket (last: +Inf). */
  exemplars?: (Exemplar | undefined)[];
  native?: NativeBuckets;
}

function bucketOf(bounds: readonly number[], v: number): number {
  for (let i = 0; i < bounds.length; i++) if (v <= bounds[i]) return i;
  return bounds.length;
}

/**
 * Keeps the latest exemplar in `slot` (allocated once, then updated in place: a new object per
 * observation, kept by a long-lived series until the next one, survived young-generation
 * collections and was promoted; about 2% of POST /orders' CPU). Snapshots copy it
 * (`copyExemplar`), so a scrape never sees a later observation's fields.
 */
function stampExemplar(
  slot: Exemplar | undefined,
  labels: ExemplarLabels,
  value: number,
  timestampMs: number,
): Exemplar {
  if (slot === undefined) return { labels, value, timestampMs };
  slot.labels = labels;
  slot.value = value;
  slot.timestampMs = timestampMs;
  return slot;
}

function copyExemplar(e: Exemplar | undefined): Exemplar | undefined {
  return e === undefined
    ? undefined
    : { labels: e.labels, value: e.value, timestampMs: e.timestampMs };
}

/** Create an adapter; the layout self-check runs here (unless `mode` is `public`). */
export function createPromAdapter(options: PromAdapterOptions = {}): PromAdapter {
  const reason = options.mode === "public" ? "public mode requested" : checkLayout();
  const direct = reason === null;
  // Exemplars and native buckets, by metric, by series key: prom-client's hash key on the direct
  // path (what the snapshot's series are keyed by), `labelsKey` on the public one.
  const extras = new WeakMap<object, Map<string, Extras>>();
  const extrasOf = (metric: AnyMetric, labels: Labels): Extras => {
    let byKey = extras.get(metric);
    if (!byKey) extras.set(metric, byKey = new Map());
    const key = (direct ? findKey(metric.hashMap, labels, metric.sortedLabelNames) : null) ??
      labelsKey(labels);
    let x = byKey.get(key);
    if (!x) byKey.set(key, x = {});
    return x;
  };

  /**
   * A series bound once: `entry` is the stored object at `key`. Before each direct update,
   * `hashMap[key] === entry` is checked (one property read): a reset, or a public-API call that
   * replaced the object (a gauge's set()), makes the handle rebind.
   */
  const bound = <E>(
    m: AnyMetric,
    labels: Labels,
    create: () => void,
    valid: (e: unknown) => e is E,
  ) => {
    let key: string | null = null;
    let entry: E | null = null;
    const bind = () => {
      key = findKey(m.hashMap, labels, m.sortedLabelNames);
      if (key === null) {
        create();
        key = findKey(m.hashMap, labels, m.sortedLabelNames);
      }
      const e = key === null ? null : m.hashMap[key];
      entry = valid(e) ? e : null;
    };
    if (direct) bind();
    return {
      get: (): E | null => {
        if (entry !== null && m.hashMap[key!] === entry) return entry;
        bind();
        return entry;
      },
      ok: () => entry !== null,
    };
  };

  const counter = <L extends string>(
    metric: prom.Counter<L>,
    labels: Record<L, string>,
  ): CounterHandle => {
    const m = metric as AnyMetric;
    metric.inc(labels, 0);
    const x = extrasOf(m, labels as Labels);
    const stamp = (e: ExemplarLabels | undefined, at: number | undefined) => {
      if (e) x.exemplar = stampExemplar(x.exemplar, e, 1, at ?? Date.now());
    };
    const b = bound(m, labels as Labels, () => metric.inc(labels, 0), isValueEntry);
    if (!b.ok()) return { direct: false, inc: (e, at) => (metric.inc(labels), stamp(e, at)) };
    return {
      direct: true,
      inc(e, at) {
        const entry = b.get();
        if (entry) entry.value += 1;
        else metric.inc(labels);
        stamp(e, at);
      },
    };
  };

  const gauge = <L extends string>(
    metric: prom.Gauge<L>,
    labels: Record<L, string>,
  ): GaugeHandle => {
    const m = metric as AnyMetric;
    const b = bound(m, labels as Labels, () => metric.set(labels, 0), isValueEntry);
    if (!b.ok()) return { direct: false, set: (v) => metric.set(labels, v) };
    return {
      direct: true,
      set(v) {
        const entry = typeof v === "number" ? b.get() : null;
        if (entry) entry.value = v;
        else metric.set(labels, v); // the public API's checks
      },
    };
  };

  const histogram = <L extends string>(
    metric: prom.Histogram<L>,
    labels: Record<L, string>,
    opts: { native?: NativeHistogramOptions | null; fresh?: boolean } = {},
  ): HistogramHandle => {
    const m = metric as AnyMetric;
    const bounds: readonly number[] = Array.isArray(m.upperBounds)
      ? m.upperBounds
      : (m.buckets ?? []);
    // zero() creates the series at 0 but wipes its counts: only for a series not there yet. The
    // public API cannot tell, so there the caller says when the series is new (`fresh`).
    if (direct ? !findEntry(m.hashMap, labels as Labels, m.sortedLabelNames) : opts.fresh) {
      metric.zero(labels);
    }
    const x = extrasOf(m, labels as Labels);
    if (opts.native && !x.native) x.native = new NativeBuckets(opts.native);
    const native = x.native;
    /** Native buckets and exemplar of `v`, which falls in classic bucket `i` (bounds.length: +Inf). */
    const extraAt = (
      v: number,
      i: number,
      e: ExemplarLabels | undefined,
      at: number | undefined,
    ) => {
      if (v < 0) return;
      native?.observe(v);
      if (e) {
        const ex = x.exemplars ??= new Array(bounds.length + 1);
        ex[i] = stampExemplar(ex[i], e, v, at ?? Date.now());
      }
    };
    const extra = (v: number, e: ExemplarLabels | undefined, at: number | undefined) => {
      if (Number.isFinite(v)) extraAt(v, bucketOf(bounds, v), e, at);
    };
    const validBuckets = (e: unknown): e is {
      bucketValues: Record<string, number>;
      sum: number;
      count: number;
    } => isHistogramEntry(e) && bounds.every((b) => typeof e.bucketValues[b] === "number");
    const b = bound(m, labels as Labels, () => metric.zero(labels), validBuckets);
    if (!b.ok() || bounds.length === 0) {
      return {
        direct: false,
        observe: (v, e, at) => (metric.observe(labels, v), extra(v, e, at)),
      };
    }
    const n = bounds.length;
    // prom-client's bucketValues keys, as strings once (a number key is converted on each use).
    const keys = bounds.map(String);
    return {
      direct: true,
      observe(value, e, at) {
        const h = Number.isFinite(value) ? b.get() : null;
        if (!h) {
          metric.observe(labels, value); // the public API's checks and errors
          extra(value, e, at);
          return;
        }
        h.sum += value;
        h.count += 1;
        let i = 0;
        while (i < n && value > bounds[i]) i++;
        if (i < n) h.bucketValues[keys[i]] += 1;
        extraAt(value, i, e, at);
      },
    };
  };

  /** Attach exemplars and native buckets to the series of a metric that has any. */
  const attach = (metric: object, family: FamilySnapshot) => {
    const byKey = extras.get(metric);
    if (!byKey) return;
    for (const s of family.series) {
      const x = byKey.get(s.key);
      if (!x) continue;
      if (family.type === "histogram") {
        const hs = s as HistogramSeries;
        if (x.exemplars) hs.exemplars = Array.from(x.exemplars, copyExemplar);
        if (x.native) hs.native = x.native.snapshot();
      } else if (x.exemplar) {
        (s as ValueSeries).exemplar = copyExemplar(x.exemplar);
      }
    }
  };

  const directFamily = (metric: AnyMetric): FamilySnapshot | null => {
    const type = metric.type;
    const hashMap = metric.hashMap;
    if (!isObject(hashMap)) return null;
    const head = { metric, name: String(metric.name), help: String(metric.help) };
    if (type === "counter" || type === "gauge") {
      const series: ValueSeries[] = [];
      for (const key in hashMap) {
        const e = hashMap[key];
        if (!isValueEntry(e)) return null;
        series.push({ key, labels: e.labels, value: e.value });
      }
      return { ...head, type, series };
    }
    const bounds: unknown = metric.upperBounds;
    if (!Array.isArray(bounds)) return null;
    const series: HistogramSeries[] = [];
    for (const key in hashMap) {
      const e = hashMap[key];
      if (!isHistogramEntry(e)) return null;
      const cumulative = new Array<number>(bounds.length);
      let acc = 0;
      for (let i = 0; i < bounds.length; i++) {
        const n = e.bucketValues[bounds[i]];
        if (typeof n !== "number") return null;
        cumulative[i] = acc += n;
      }
      series.push({ key, labels: e.labels, cumulative, count: e.count, sum: e.sum });
    }
    return { ...head, type: "histogram", bounds, series };
  };

  const publicFamily = async (metric: AnyMetric): Promise<FamilySnapshot | null> => {
    const data = await metric.get();
    const head = { metric, name: String(data.name), help: String(data.help) };
    const type = String(data.type);
    if (type === "counter" || type === "gauge") {
      const series: ValueSeries[] = (data.values ?? []).map((v: AnyMetric) => {
        const labels = { ...(v.labels ?? {}) } as Labels;
        return { key: labelsKey(labels), labels, value: Number(v.value) };
      });
      return { ...head, type, series };
    }
    if (type !== "histogram") return null;
    const bounds: readonly number[] = metric.upperBounds ?? metric.buckets ?? [];
    const byKey = new Map<string, HistogramSeries>();
    for (const v of data.values ?? []) {
      const { le, ...rest } = (v.labels ?? {}) as Labels & { le?: string | number };
      const key = labelsKey(rest as Labels);
      let s = byKey.get(key);
      if (!s) {
        byKey.set(key, s = { key, labels: rest as Labels, cumulative: [], count: 0, sum: 0 });
      }
      if (v.metricName === `${data.name}_bucket`) {
        if (String(le) !== "+Inf") s.cumulative.push(Number(v.value));
      } else if (v.metricName === `${data.name}_sum`) s.sum = Number(v.value);
      else if (v.metricName === `${data.name}_count`) s.count = Number(v.value);
    }
    return { ...head, type: "histogram", bounds, series: [...byKey.values()] };
  };

  return {
    direct,
    reason,
    counter,
    gauge,
    histogram,
    async snapshot(registry) {
      // Default labels are added by prom-client's own rendering only (a guard in both modes;
      // the public API has no getter for them, and tradewatch never sets any).
      const defaults = (registry as AnyMetric)._defaultLabels;
      if (isObject(defaults) ? Object.keys(defaults).length > 0 : direct) return null;
      const metrics: AnyMetric[] = registry.getMetricsAsArray();
      for (const m of metrics) {
        if (m.enableExemplars) return null;
        if (m.type !== "counter" && m.type !== "gauge" && m.type !== "histogram") return null;
      }
      let families: (FamilySnapshot | null)[];
      if (direct) {
        // Like prom-client: every collect() hook starts before anything is read.
        const pending: Promise<unknown>[] = [];
        for (const m of metrics) {
          if (typeof m.collect !== "function") continue;
          const r = m.collect();
          if (r instanceof Promise) pending.push(r);
        }
        if (pending.length) await Promise.all(pending);
        families = metrics.map(directFamily);
      } else {
        families = await Promise.all(metrics.map(publicFamily));
      }
      if (families.some((f) => f === null)) return null;
      const out = families as FamilySnapshot[];
      for (const f of out) attach(f.metric, f);
      return out;
    },
    renderWithPromClient,
  };
}

/**
 * A read-only view of a live metric for a one-off registry: prom-client may rename the view
 * (OpenMetrics strips `_total`), the live metric keeps its name.
 */
function view(metric: AnyMetric): AnyMetric {
  const v = {
    name: metric.name as string,
    help: metric.help as string,
    type: metric.type as string,
    async get() {
      const data = typeof metric.getForPromString === "function"
        ? await metric.getForPromString()
        : await metric.get();
      return { ...data, name: v.name };
    },
  };
  return v;
}

/**
 * prom-client's rendering. OpenMetrics is drawn from read-only views in a throw-away registry:
 * prom-client's OpenMetrics rendering renames every counter of the registry it renders, and
 * switching a shared registry's content type would race with concurrent scrapes.
 */
async function renderWithPromClient(registry: Registry, openMetrics: boolean): Promise<string> {
  if (!openMetrics) {
    if (registry.contentType !== Registry.PROMETHEUS_CONTENT_TYPE) {
      throw new Error("the live registry must use the Prometheus text content type");
    }
    return await registry.metrics();
  }
  // The typings lack the constructor's content-type parameter (prom-client 15.1.3 has it).
  const OpenMetricsRegistry = Registry as unknown as new (contentType: string) => Registry;
  const snapshot = new OpenMetricsRegistry(Registry.OPENMETRICS_CONTENT_TYPE);
  for (const metric of registry.getMetricsAsArray()) snapshot.registerMetric(view(metric));
  return await snapshot.metrics();
}
