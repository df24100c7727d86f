/**
 * Small clients for the Prometheus (v1) and Alertmanager (v2) HTTP APIs, and polling helpers.
 *
 * @module
 */

/** One sample of an instant vector as the query API answers it. */
export interface Sample {
  metric: Record<string, string>;
  value: number;
}

/** Run an instant query; throws unless Prometheus answers `success` with a vector. */
export async function query(base: string, promql: string): Promise<Sample[]> {
  const res = await fetch(`${base}/api/v1/query`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ query: promql }),
  });
  const body = await res.json();
  if (body.status !== "success") {
    throw new Error(`Query ${promql} failed: ${body.errorType}: ${body.error}`);
  }
  if (body.data.resultType === "scalar") {
    return [{ metric: {}, value: Number(body.data.result[1]) }];
  }
  if (body.data.resultType !== "vector") {
    throw new Error(`Query ${promql} answered a ${body.data.resultType}`);
  }
  return body.data.result.map((r: { metric: Record<string, string>; value: [number, string] }) => ({
    metric: r.metric,
    value: Number(r.value[1]),
  }));
}

/** An alert as Prometheus' /api/v1/alerts lists it. */
export interface PrometheusAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  state: "pending" | "firing";
  value: string;
}

/** The alerts Prometheus holds (pending and firing). */
export async function prometheusAlerts(base: string): Promise<PrometheusAlert[]> {
  const body = await (await fetch(`${base}/api/v1/alerts`)).json();
  if (body.status !== "success") throw new Error(`Alerts API failed: ${body.error}`);
  return body.data.alerts;
}

/**
 * Poll `probe` every `intervalMs` until it returns a value other than `undefined`; throws with
 * `describe()` after `timeoutMs`. Errors thrown by `probe` count as "not yet".
 */
export async function waitUntil<T>(
  probe: () => Promise<T | undefined>,
  options: { timeoutMs: number; intervalMs?: number; describe: () => string | Promise<string> },
): Promise<T> {
  const deadline = Date.now() + options.timeoutMs;
  let lastError: unknown;
  while (true) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (e) {
      lastError = e;
    }
    if (Date.now() >= deadline) {
      const why = lastError ? ` (last error: ${lastError})` : "";
      throw new Error(`Timed out after ${options.timeoutMs} ms: ${await options.describe()}${why}`);
    }
    await new Promise((r) => setTimeout(r, options.intervalMs ?? 250));
  }
}

/** A TCP port that was free on 127.0.0.1 a moment ago. */
export function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}
