/**
 * What `--prometheus-url` learns from a live Prometheus, for the `online/*` checks. Checks are
 * synchronous and see one rule at a time, so the run first collects every metric name and label
 * the files select ({@link collectQueries}), asks Prometheus once per distinct question with a
 * bounded number of requests in flight ({@link fetchOnline}), and hands the answers to the checks
 * as {@link OnlineFacts}. A Prometheus that cannot be reached is one problem of the run, never a
 * crash, and the online checks then stay silent.
 *
 * @module
 */

/** The answers of one run. */
export interface OnlineFacts {
  /** The Prometheus asked, for messages. */
  url: string;
  /** Why Prometheus could not be asked (then every lookup below is empty). */
  unreachable?: string;
  /** Metric names with at least one series in the lookback window. */
  present: ReadonlySet<string>;
  /** Metric names asked about (a name asked and not present has no series). */
  asked: ReadonlySet<string>;
  /** Label names each present metric's series carry. */
  labelNames: ReadonlyMap<string, ReadonlySet<string>>;
  /** Values of each label asked about (any metric). */
  labelValues: ReadonlyMap<string, ReadonlySet<string>>;
  /** Metric types from /api/v1/metadata (`counter`, `gauge`, …). */
  types: ReadonlyMap<string, string>;
  /** Scrape interval of each active target's job, in milliseconds. */
  jobIntervals: ReadonlyMap<string, number>;
  /** The lookback window of the series queries, for messages. */
  lookback: string;
}
