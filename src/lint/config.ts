/**
 * What the linter reads from the Prometheus configuration: the scrape interval and the labels
 * scrape targets add to every series.
 *
 * @module
 */
import jsyaml from "js-yaml";
import { parseDuration } from "./duration.ts";

/** The default scrape interval when no configuration is found. */
export const DEFAULT_SCRAPE_INTERVAL_MS = 10_000;
/** Prometheus' own default when the configuration sets none. */
const PROMETHEUS_DEFAULT_MS = 60_000;

/** Settings read from a Prometheus configuration. */
export interface ScrapeSettings {
  intervalMs: number;
  /** Where the interval came from, for messages. */
  source: string;
  /** Label names added by static_configs target labels. */
  targetLabels: string[];
  /** The configured job names (the values `job` can take). */
  jobs: string[];
}

/**
 * Read the longest scrape interval (`global.scrape_interval` or a job's) and the target labels
 * from a Prometheus configuration's YAML text.
 */
export function readScrapeSettings(text: string, path: string): ScrapeSettings {
  const doc = jsyaml.load(text) as Record<string, unknown> | null;
  const global = (doc?.global ?? {}) as Record<string, unknown>;
  let intervalMs = PROMETHEUS_DEFAULT_MS;
  let source = `${path} (Prometheus' default 1m)`;
  if (typeof global.scrape_interval === "string") {
    const d = parseDuration(global.scrape_interval);
    if ("error" in d) throw new Error(`${path}: global.scrape_interval: ${d.error}`);
    intervalMs = d.ms;
    source = `${path} global.scrape_interval ${global.scrape_interval}`;
  }
  const targetLabels = new Set<string>();
  const names: string[] = [];
  const jobs = Array.isArray(doc?.scrape_configs) ? doc.scrape_configs : [];
  for (const job of jobs as Record<string, unknown>[]) {
    if (typeof job?.job_name === "string") names.push(job.job_name);
    // The longest interval of any job decides: a rule may select any job's series.
    if (typeof job?.scrape_interval === "string") {
      const d = parseDuration(job.scrape_interval);
      if ("ms" in d && d.ms > intervalMs) {
        intervalMs = d.ms;
        source = `${path} job "${String(job.job_name)}" scrape_interval ${job.scrape_interval}`;
      }
    }
    const statics = Array.isArray(job?.static_configs) ? job.static_configs : [];
    for (const s of statics as Record<string, unknown>[]) {
      const labels = s?.labels;
      if (labels && typeof labels === "object") {
        for (const k of Object.keys(labels)) targetLabels.add(k);
      }
    }
  }
  return { intervalMs, source, targetLabels: [...targetLabels], jobs: names };
}
