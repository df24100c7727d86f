/**
 * Traffic for the end-to-end tests when `--loadgen` is not wanted: a paced loop of real HTTP
 * requests (orders on every symbol and side, quote and position reads) until stopped.
 *
 * @module
 */
import { DEFAULT_SYMBOLS, SIDES } from "../../src/metrics/labels.ts";

/** Counts of what a traffic run sent, by answer status. */
export interface TrafficReport {
  orders: number;
  reads: number;
  statuses: Record<string, number>;
}

/** A running traffic loop. */
export interface Traffic {
  /** Stop sending; resolves once every request in flight is answered. */
  stop(): Promise<TrafficReport>;
}

/**
 * Send about `ratePerSecond` requests per second to `baseUrl`: each round posts one order per
 * symbol (alternating sides) and, unless `ordersOnly`, reads /quotes and /positions.
 */
export function startTraffic(
  baseUrl: string,
  options: { ratePerSecond: number; ordersOnly?: boolean },
): Traffic {
  const report: TrafficReport = { orders: 0, reads: 0, statuses: {} };
  let stopped = false;
  let round = 0;
  const count = async (res: Promise<Response>) => {
    const r = await res;
    await r.body?.cancel();
    report.statuses[r.status] = (report.statuses[r.status] ?? 0) + 1;
  };
  const loop = (async () => {
    const perRound = DEFAULT_SYMBOLS.length + (options.ordersOnly ? 0 : 2);
    const pauseMs = (1000 * perRound) / options.ratePerSecond;
    while (!stopped) {
      const started = performance.now();
      const requests: Promise<void>[] = [];
      DEFAULT_SYMBOLS.forEach((symbol, i) => {
        const side = SIDES[(round + i) % 2];
        const quantity = 1 + ((round * 7 + i * 13) % 50);
        requests.push(count(fetch(`${baseUrl}/orders`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ symbol, side, quantity }),
        })));
        report.orders++;
      });
      if (!options.ordersOnly) {
        requests.push(count(fetch(`${baseUrl}/quotes`)), count(fetch(`${baseUrl}/positions`)));
        report.reads += 2;
      }
      await Promise.all(requests);
      round++;
      const rest = pauseMs - (performance.now() - started);
      if (rest > 0 && !stopped) await new Promise((r) => setTimeout(r, rest));
    }
  })();
  return {
    async stop() {
      stopped = true;
      await loop;
      return report;
    },
  };
}
