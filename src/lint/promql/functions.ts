/**
 * PromQL function signatures: argument types, variadic count (-1: any number of extra
 * arguments of the last type) and return type, as in Prometheus' `promql/parser/functions.go`.
 * Generated from `@prometheus-io/codemirror-promql@0.314.0`'s `types/function.js` (the port of that
 * table), plus `holt_winters` (Prometheus 2.x; renamed `double_exponential_smoothing` in 3.0).
 * Types: v instant vector, m range vector, s scalar, S string.
 *
 * @module
 */

/** A function's signature: [argument types, variadic, return type]. */
export type Signature = readonly [args: string, variadic: number, returns: string];

/** Functions that read their range as a counter: every drop is taken for a reset. */
export const COUNTER_FUNCTIONS: ReadonlySet<string> = new Set([
  "rate",
  "irate",
  "increase",
  "resets",
]);

/**
 * Functions of a range that need two samples in it (a rate, difference, slope or count of
 * changes): over a window with one sample they give nothing, or nothing useful.
 */
export const TWO_SAMPLE_FUNCTIONS: ReadonlySet<string> = new Set([
  ...COUNTER_FUNCTIONS,
  "delta",
  "idelta",
  "deriv",
  "predict_linear",
  "changes",
]);

/** Every function, by name. */
export const FUNCTIONS: ReadonlyMap<string, Signature> = new Map(Object.entries({
  abs: ["v", 0, "v"],
  absent: ["v", 0, "v"],
  absent_over_time: ["m", 0, "v"],
  acos: ["v", 0, "v"],
  acosh: ["v", 0, "v"],
  asin: ["v", 0, "v"],
  asinh: ["v", 0, "v"],
  atan: ["v", 0, "v"],
  atanh: ["v", 0, "v"],
  avg_over_time: ["m", 0, "v"],
  ceil: ["v", 0, "v"],
  changes: ["m", 0, "v"],
  clamp: ["vss", 0, "v"],
  clamp_max: ["vs", 0, "v"],
  clamp_min: ["vs", 0, "v"],
  cos: ["v", 0, "v"],
  Cosh: ["v", 0, "v"],
  count_over_time: ["m", 0, "v"],
  days_in_month: ["v", 1, "v"],
  day_of_month: ["v", 1, "v"],
  day_of_week: ["v", 1, "v"],
  day_of_year: ["v", 1, "v"],
  deg: ["v", 0, "v"],
  delta: ["m", 0, "v"],
  deriv: ["m", 0, "v"],
  end: ["", 0, "s"],
  exp: ["v", 0, "v"],
  first_over_time: ["m", 0, "v"],
  floor: ["v", 0, "v"],
  histogram_avg: ["v", 0, "v"],
  histogram_count: ["v", 0, "v"],
  histogram_fraction: ["ssv", 0, "v"],
  histogram_quantile: ["sv", 0, "v"],
  histogram_quantiles: ["vSss", 10, "v"],
  histogram_stddev: ["v", 0, "v"],
  histogram_stdvar: ["v", 0, "v"],
  histogram_sum: ["v", 0, "v"],
  double_exponential_smoothing: ["mss", 0, "v"],
  hour: ["v", 1, "v"],
  idelta: ["m", 0, "v"],
  increase: ["m", 0, "v"],
  info: ["vv", 1, "v"],
  irate: ["m", 0, "v"],
  label_replace: ["vSSSS", 0, "v"],
  label_join: ["vSSS", -1, "v"],
  last_over_time: ["m", 0, "v"],
  ln: ["v", 0, "v"],
  log10: ["v", 0, "v"],
  log2: ["v", 0, "v"],
  mad_over_time: ["m", 0, "v"],
  max_over_time: ["m", 0, "v"],
  min_over_time: ["m", 0, "v"],
  ts_of_first_over_time: ["m", 0, "v"],
  ts_of_max_over_time: ["m", 0, "v"],
  ts_of_min_over_time: ["m", 0, "v"],
  ts_of_last_over_time: ["m", 0, "v"],
  minute: ["v", 1, "v"],
  month: ["v", 1, "v"],
  pi: ["", 0, "v"],
  predict_linear: ["ms", 0, "v"],
  present_over_time: ["m", 0, "v"],
  quantile_over_time: ["sm", 0, "v"],
  rad: ["v", 0, "v"],
  range: ["", 0, "s"],
  rate: ["m", 0, "v"],
  resets: ["m", 0, "v"],
  round: ["vs", 1, "v"],
  scalar: ["v", 0, "s"],
  sgn: ["v", 0, "v"],
  sin: ["v", 0, "v"],
  Sinh: ["v", 0, "v"],
  sort: ["v", 0, "v"],
  sort_desc: ["v", 0, "v"],
  sort_by_label: ["vS", -1, "v"],
  sort_by_label_desc: ["vS", -1, "v"],
  sqrt: ["v", 0, "v"],
  start: ["", 0, "s"],
  start_timestamp: ["v", 0, "v"],
  step: ["", 0, "s"],
  stddev_over_time: ["m", 0, "v"],
  stdvar_over_time: ["m", 0, "v"],
  sum_over_time: ["m", 0, "v"],
  tan: ["v", 0, "v"],
  tanh: ["v", 0, "v"],
  time: ["", 0, "s"],
  timestamp: ["v", 0, "v"],
  vector: ["s", 0, "v"],
  year: ["v", 1, "v"],
  holt_winters: ["mss", 0, "v"],
} as Record<string, Signature>));
