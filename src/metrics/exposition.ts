/**
 * `/metrics` exposition: content negotiation (Prometheus text 0.0.4 or OpenMetrics 1.0.0) and
 * optional gzip, rendered by prom-client without ever mutating the live registry.
 *
 * prom-client's OpenMetrics rendering renames every counter on the registry it renders
 * (`order_count_total` becomes `order_count` for good), and switching a shared registry's content
 * type would race with concurrent scrapes. So OpenMetrics is rendered from a throw-away registry
 * holding one read-only view per live metric: prom-client renames the view, never the metric.
 *
 * @module
 */
import { gzip as zlibGzip } from "node:zlib";
import { promisify } from "node:util";
import { Registry } from "prom-client";
import { renderRegistry } from "./render.ts";

/** The exposition formats `/metrics` can answer with. */
export type ExpositionFormat = "text" | "openmetrics";

/** Content type of the Prometheus text format 0.0.4. */
export const TEXT_CONTENT_TYPE: string = Registry.PROMETHEUS_CONTENT_TYPE;
/** Content type of OpenMetrics 1.0.0. */
export const OPENMETRICS_CONTENT_TYPE: string = Registry.OPENMETRICS_CONTENT_TYPE;

interface MediaRange {
  type: string;
  q: number;
}

/** Parse an Accept-style header into media ranges with their q-values (bounded work). */
function parseAccept(header: string): MediaRange[] {
  const out: MediaRange[] = [];
  // Bound the work on hostile input: no real client sends more than a handful of ranges.
  for (const part of header.slice(0, 2048).split(",", 32)) {
    const [type, ...params] = part.split(";");
    let q = 1;
    for (const p of params) {
      const [k, v] = p.split("=");
      if (k?.trim().toLowerCase() === "q") {
        const n = Number(v?.trim());
        q = Number.isFinite(n) && n >= 0 && n <= 1 ? n : 0;
      }
    }
    out.push({ type: type.trim().toLowerCase(), q });
  }
  return out;
}

/**
 * Pick the exposition format from an `Accept` header: OpenMetrics when the client prefers it
 * (strictly higher q than the text format), Prometheus text otherwise, including when the header
 * is absent or names neither (Prometheus clients fall back to text rather than answering 406).
 */
export function negotiateFormat(accept: string | null | undefined): ExpositionFormat {
  if (!accept || !/openmetrics/i.test(accept)) return "text";
  let om = -1;
  let text = -1;
  for (const r of parseAccept(accept)) {
    if (r.type === "application/openmetrics-text") om = Math.max(om, r.q);
    else if (r.type === "text/plain" || r.type === "text/*" || r.type === "*/*") {
      text = Math.max(text, r.q);
    }
  }
  return om > 0 && om > text ? "openmetrics" : "text";
}

/** Whether an `Accept-Encoding` header allows gzip (q > 0, explicitly or through `*`). */
export function acceptsGzip(acceptEncoding: string | null | undefined): boolean {
  if (!acceptEncoding) return false;
  let gzip = -1;
  let star = -1;
  for (const r of parseAccept(acceptEncoding)) {
    if (r.type === "gzip" || r.type === "x-gzip") gzip = Math.max(gzip, r.q);
    else if (r.type === "*") star = Math.max(star, r.q);
  }
  return gzip >= 0 ? gzip > 0 : star > 0;
}

// deno-lint-ignore no-explicit-any
type AnyMetric = any;

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
 * Render a registry in one format; the registry is never modified. The fast renderer of
 * `render.ts` (identical output) is used when it handles every metric, prom-client otherwise.
 */
export async function renderMetrics(
  registry: Registry,
  format: ExpositionFormat,
): Promise<string> {
  const fast = await renderRegistry(registry, format === "openmetrics");
  return fast ?? await renderWithPromClient(registry, format);
}

/** prom-client's own rendering, with OpenMetrics drawn from read-only views of the metrics. */
export async function renderWithPromClient(
  registry: Registry,
  format: ExpositionFormat,
): Promise<string> {
  if (format === "text") {
    if (registry.contentType !== TEXT_CONTENT_TYPE) {
      throw new Error("the live registry must use the Prometheus text content type");
    }
    return await registry.metrics();
  }
  // The typings lack the constructor's content-type parameter (prom-client 15.1.3 has it).
  const OpenMetricsRegistry = Registry as unknown as new (contentType: string) => Registry;
  const snapshot = new OpenMetricsRegistry(OPENMETRICS_CONTENT_TYPE);
  for (const metric of registry.getMetricsAsArray()) snapshot.registerMetric(view(metric));
  return await snapshot.metrics();
}

const gzipAsync = promisify(zlibGzip);

/**
 * gzip at level 1: measured here on a 10,000-series exposition (570 kB), 0.5 ms against 7 ms for
 * `CompressionStream` (level 6) and 5 ms for zlib level 6; the output is 47 kB instead of 29 kB,
 * which matters little next to the scrape-time budget.
 */
async function gzip(text: string): Promise<Uint8Array> {
  return new Uint8Array(await gzipAsync(text, { level: 1 }));
}

/** The negotiated body and headers of one scrape. */
export interface Exposition {
  body: string | Uint8Array;
  headers: Record<string, string>;
  format: ExpositionFormat;
  gzipped: boolean;
}

/**
 * Render one scrape for the given request headers: format from `Accept`, gzip from
 * `Accept-Encoding`. `Vary` tells caches that both headers matter.
 */
export async function expose(
  registry: Registry,
  accept: string | null | undefined,
  acceptEncoding: string | null | undefined,
): Promise<Exposition> {
  const format = negotiateFormat(accept);
  const text = await renderMetrics(registry, format);
  const headers: Record<string, string> = {
    "content-type": format === "openmetrics" ? OPENMETRICS_CONTENT_TYPE : TEXT_CONTENT_TYPE,
    "vary": "Accept, Accept-Encoding",
    "cache-control": "no-store",
  };
  if (acceptsGzip(acceptEncoding)) {
    headers["content-encoding"] = "gzip";
    return { body: await gzip(text), headers, format, gzipped: true };
  }
  return { body: text, headers, format, gzipped: false };
}
