/**
 * The venue faults, a decorator of the venue port: `venue_failure` fails a share of the orders
 * (answered 502, `status="failed"`, as when the venue rejects them), `venue_latency` adds a delay
 * drawn from a distribution before the venue answers. Both go through the ordinary order path:
 * nothing is stored but what the engine stores for any order.
 *
 * @module
 */
import { Rng } from "../rng.ts";
import type { Venue } from "../trading/ports.ts";
import type { OrderRequest } from "../trading/types.ts";
import type { FaultRegistry } from "./registry.ts";
import type { FaultParams } from "./spec.ts";

/** One delay drawn from the `venue_latency` distribution, in ms. */
export function drawLatency(p: FaultParams["venue_latency"], rng: Rng): number {
  switch (p.distribution) {
    case "fixed":
      return p.ms;
    case "uniform":
      return p.minMs + (p.maxMs - p.minMs) * rng.next();
    case "lognormal":
      return p.medianMs <= 0 ? 0 : rng.logNormal(p.medianMs, p.sigma);
  }
}

/** `venue` under the registry's venue faults; `seed` makes the injected draws reproducible. */
export function faultyVenue(venue: Venue, faults: FaultRegistry, seed: number): Venue {
  const rng = new Rng(seed);
  const send = async (request: OrderRequest): Promise<boolean> => {
    const latency = faults.get("venue_latency");
    if (latency !== undefined) {
      const delay = drawLatency(latency, rng);
      if (delay > 0) await new Promise((r) => setTimeout(r, delay));
    }
    const failure = faults.get("venue_failure");
    const failed = failure !== undefined && rng.next() < failure.rate;
    const accepted = await venue.send(request);
    return accepted && !failed;
  };
  return { send };
}
