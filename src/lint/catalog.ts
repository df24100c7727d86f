/**
 * The service's metric catalog as the linter sees it: every series name a rule can select
 * (`_bucket`/`_sum`/`_count` of histograms included), its type, label names and closed values.
 * Built from `describeCatalog`, the same registry that serves `/metrics`.
 *
 * @module
 */
import type { CatalogEntry } from "../metrics/catalog.ts";
import type { Matcher } from "./promql/infer.ts";

/** The type of one selectable series name. */
export type SeriesType =
  | "counter"
  | "gauge"
  | "histogram_bucket"
  | "native_histogram"
  | "summary_quantile"
  | "untyped";

/** One selectable series name. */
export interface SeriesInfo {
  /** The series name (`order_latency_seconds_bucket`). */
  name: string;
  /** The metric family it belongs to (`order_latency_seconds`). */
  family: string;
  /** Family type as the registry declares it. */
  familyType: CatalogEntry["type"];
  /** How the series behaves: `_sum`/`_count` of histograms and summaries are counters. */
  type: SeriesType;
  /** Label names the series carries (`le` for buckets, `quantile` for summaries). */
  labelNames: readonly string[];
  /** Closed value sets, by label name. */
  labelValues: Readonly<Record<string, readonly string[]>>;
}

/** Labels every scraped series gets from Prometheus itself. */
export const TARGET_LABELS = ["job", "instance"];

/** Series Prometheus synthesizes (scrape metadata and alert state): known, free labels. */
const SYNTHETIC: { name: string; type: SeriesType }[] = [
  { name: "up", type: "gauge" },
  { name: "scrape_duration_seconds", type: "gauge" },
  { name: "scrape_samples_scraped", type: "gauge" },
  { name: "scrape_samples_post_metric_relabeling", type: "gauge" },
  { name: "scrape_series_added", type: "gauge" },
  { name: "ALERTS", type: "gauge" },
  { name: "ALERTS_FOR_STATE", type: "gauge" },
];

/** Lookup of the catalog by series name. */
export interface CatalogIndex {
  /** Series of the service, by series name. */
  series: ReadonlyMap<string, SeriesInfo>;
  /** Names Prometheus itself provides (no label checks). */
  synthetic: ReadonlyMap<string, SeriesType>;
  /** Extra label names every series may carry (target labels from the scrape config). */
  targetLabels: ReadonlySet<string>;
  /** Every known series name (the service's and Prometheus' own), for typo suggestions. */
  names: readonly string[];
  /** The job names of the Prometheus configuration; undefined when unknown (any job). */
  jobs?: readonly string[];
}

/**
 * Whether a selector can select this Prometheus' series: false when its `job` matchers match no
 * configured job (`job="alertmanager-main"` in a rule written for another Prometheus selects
 * another service's `http_requests_total`, which the catalog says nothing about).
 */
export function mayBeOurs(
  catalog: CatalogIndex,
  matchers: readonly Matcher[],
  accepts: (m: Matcher, value: string) => boolean,
): boolean {
  const jobs = catalog.jobs;
  if (!jobs || jobs.length === 0) return true;
  const on = matchers.filter((m) => m.label === "job");
  if (on.length === 0) return true;
  return jobs.some((job) => on.every((m) => accepts(m, job)));
}

/** Index catalog entries by every series name they expose. */
export function indexCatalog(
  entries: readonly CatalogEntry[],
  extraTargetLabels: readonly string[] = [],
  jobs?: readonly string[],
): CatalogIndex {
  const series = new Map<string, SeriesInfo>();
  const add = (name: string, e: CatalogEntry, type: SeriesType, extra: string[] = []) => {
    series.set(name, {
      name,
      family: e.name,
      familyType: e.type,
      type,
      labelNames: [...e.labelNames, ...extra],
      labelValues: e.labelValues,
    });
  };
  for (const e of entries) {
    switch (e.type) {
      case "counter":
        add(e.name, e, "counter");
        break;
      case "gauge":
        add(e.name, e, "gauge");
        break;
      case "histogram":
        add(`${e.name}_bucket`, e, "histogram_bucket", ["le"]);
        // Scraped as a native histogram, the family is one series under its own name.
        if (e.native) add(e.name, e, "native_histogram");
        add(`${e.name}_sum`, e, "counter");
        add(`${e.name}_count`, e, "counter");
        break;
      case "summary":
        add(e.name, e, "summary_quantile", ["quantile"]);
        add(`${e.name}_sum`, e, "counter");
        add(`${e.name}_count`, e, "counter");
        break;
      default:
        add(e.name, e, "untyped");
    }
  }
  const synthetic = new Map(SYNTHETIC.map((s) => [s.name, s.type]));
  return {
    series,
    synthetic,
    targetLabels: new Set([...TARGET_LABELS, ...extraTargetLabels]),
    names: [...series.keys(), ...synthetic.keys()],
    jobs,
  };
}

/**
 * Load the service's catalog and index it: the registry `/metrics` serves, built as the server
 * builds it (`createCatalog` with the configured symbols, `TRADEWATCH_SYMBOLS` or the defaults,
 * plus the process collector the server registers on it).
 */
export async function loadServiceCatalog(
  extraTargetLabels: readonly string[] = [],
  jobs?: readonly string[],
): Promise<CatalogIndex> {
  const { createCatalog, describeCatalog } = await import("../metrics/catalog.ts");
  const { DEFAULT_SYMBOLS } = await import("../metrics/labels.ts");
  let symbols: readonly string[] = DEFAULT_SYMBOLS;
  try {
    const env = Deno.env.get("TRADEWATCH_SYMBOLS");
    const list = env?.split(",").map((s) => s.trim()).filter((s) => s !== "") ?? [];
    if (list.length) symbols = list;
  } catch { /* no env permission: the defaults */ }
  const catalog = createCatalog({ symbols });
  try {
    const { registerProcessMetrics } = await import("../metrics/process.ts");
    registerProcessMetrics(catalog.registry).close();
  } catch { /* an older tree without the process collector */ }
  return indexCatalog(await describeCatalog(catalog), extraTargetLabels, jobs);
}
