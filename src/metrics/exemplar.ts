/**
 * Exemplars: the labels (`trace_id`, `order_id`) and value of one observation, kept per series
 * (per bucket for histograms) and shown only where the format has them (OpenMetrics, protobuf).
 *
 * @module
 */

/** An exemplar's label set; OpenMetrics allows at most 128 UTF-8 characters of names and values. */
export interface ExemplarLabels {
  trace_id: string;
  order_id?: string;
}

/** One exemplar as stored: labels, the observed value, when (ms since the epoch). */
export interface Exemplar {
  labels: ExemplarLabels;
  value: number;
  timestampMs: number;
}

/** OpenMetrics' limit on an exemplar's label names and values together, in characters. */
export const EXEMPLAR_LABELS_LIMIT = 128;

/**
 * The exemplar labels of a trace and, when it fits within the 128-character limit, an order.
 * `trace_id` is 32 hex digits (W3C), so 40 characters; the order id is dropped, never cut, when
 * it would not fit.
 */
export function exemplarLabels(traceId: string, orderId?: string): ExemplarLabels {
  const base = "trace_id".length + traceId.length;
  if (orderId === undefined || base + "order_id".length + orderId.length > EXEMPLAR_LABELS_LIMIT) {
    return { trace_id: traceId };
  }
  return { trace_id: traceId, order_id: orderId };
}
