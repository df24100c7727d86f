/**
 * One HTTP probe of a running tradewatch: the check behind `--healthcheck`.
 *
 * @module
 */

/** The outcome of one probe. */
export interface ProbeResult {
  /** True when the service answered with a 2xx status within the timeout. */
  healthy: boolean;
  /** The probed URL. */
  url: string;
  /** The HTTP status, when the service answered at all. */
  status?: number;
  /** Milliseconds from the start of the request to the response headers (or the failure). */
  elapsedMs: number;
  /** Why the probe failed, in sentence case; absent when healthy. */
  reason?: string;
}

/**
 * Send one GET to `url` and report whether it answered 2xx within `timeoutMs`.
 *
 * Never throws: connection errors and timeouts become an unhealthy result. The response body is
 * discarded so that no resource is left open.
 */
export async function probe(url: string, timeoutMs: number): Promise<ProbeResult> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  try {
    const res = await fetch(url, {
      signal: AbortSignal.timeout(timeoutMs),
      headers: { "user-agent": "tradewatch-healthcheck" },
      redirect: "manual",
    });
    await res.body?.cancel();
    const healthy = res.status >= 200 && res.status < 300;
    return {
      healthy,
      url,
      status: res.status,
      elapsedMs: elapsed(),
      ...(healthy ? {} : { reason: `HTTP status ${res.status}` }),
    };
  } catch (err) {
    return { healthy: false, url, elapsedMs: elapsed(), reason: describeError(err, timeoutMs) };
  }
}

function describeError(err: unknown, timeoutMs: number): string {
  if (err instanceof DOMException && (err.name === "TimeoutError" || err.name === "AbortError")) {
    return `No answer within ${timeoutMs} ms`;
  }
  const message = err instanceof Error ? err.message : String(err);
  // Deno's fetch wraps the OS error: keep its most specific part on one line.
  const cause = err instanceof Error && err.cause instanceof Error ? `: ${err.cause.message}` : "";
  return (message + cause).replace(/\s+/g, " ").trim() || "Request failed";
}
