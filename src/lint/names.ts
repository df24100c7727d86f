/**
 * Metric and label name rules: the legacy character set (Prometheus 2) or UTF-8 (Prometheus 3).
 *
 * @module
 */

const LEGACY_LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const LEGACY_METRIC = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;

/** Whether `s` is well-formed UTF-16 (no lone surrogates), i.e. valid UTF-8 once encoded. */
function validUtf8(s: string): boolean {
  return s.isWellFormed();
}

/** Whether `name` is a valid label name. */
export function validLabelName(name: string, legacy: boolean): boolean {
  return legacy ? LEGACY_LABEL.test(name) : name.length > 0 && validUtf8(name);
}

/** Whether `name` is a valid metric name. */
export function validMetricName(name: string, legacy: boolean): boolean {
  return legacy ? LEGACY_METRIC.test(name) : name.length > 0 && validUtf8(name);
}
