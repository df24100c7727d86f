/**
 * Scenarios: what each request of a run is. `--mix orders=70,quotes=20,...` weighs them; the
 * seeded {@link Rng} picks each request, so `--seed` reproduces a run's sequence.
 *
 * @module
 */
import { buildRequest } from "./http_client.ts";
import { UsageError } from "../cli/mod.ts";
import type { Rng } from "../rng.ts";

/** Scenario names accepted by `--mix`, with what each sends. */
export const SCENARIO_HELP = {
  orders: "POST /orders?symbol=&side=&quantity= (market, as the seed)",
  limit: "POST /orders, a JSON limit order priced near the quote",
  quotes: "GET /quotes/:symbol",
  positions: "GET /positions",
  risk: "GET /risk",
  lookups: "GET /orders/:id of an order placed during the run",
  history: "GET /orders (recent orders)",
  health: "GET /health alone (the comparison with wrk)",
  metrics: "GET /metrics",
} as const;

/** A scenario name. */
export type ScenarioName = keyof typeof SCENARIO_HELP;

/** Every scenario name. */
export const SCENARIOS = Object.keys(SCENARIO_HELP) as ScenarioName[];

/** Scenarios that need the symbol universe. */
const NEEDS_SYMBOLS: readonly ScenarioName[] = ["orders", "limit", "quotes"];

/** Parse `--mix`: comma-separated `name=weight` (a bare name weighs 1). */
export function parseMix(text: string): Map<ScenarioName, number> {
  const mix = new Map<ScenarioName, number>();
  for (const raw of text.split(",")) {
    const part = raw.trim();
    if (part === "") continue;
    const eq = part.indexOf("=");
    const name = (eq < 0 ? part : part.slice(0, eq)).trim();
    const weightText = eq < 0 ? "1" : part.slice(eq + 1).trim();
    if (!(name in SCENARIO_HELP)) {
      throw new UsageError(
        `Unknown scenario "${name}", expected one of ${SCENARIOS.join(", ")}`,
        "--mix",
      );
    }
    const weight = Number(weightText);
    if (weightText === "" || !Number.isFinite(weight) || weight < 0) {
      throw new UsageError(
        `Scenario weight must be a non-negative number, got "${weightText}" for ${name}`,
        "--mix",
      );
    }
    if (mix.has(name as ScenarioName)) {
      throw new UsageError(`Scenario ${name} is listed twice`, "--mix");
    }
    mix.set(name as ScenarioName, weight);
  }
  let total = 0;
  for (const w of mix.values()) total += w;
  if (total <= 0) {
    throw new UsageError("The mix needs at least one scenario with a weight", "--mix");
  }
  return mix;
}

/** True when some scenario of the mix needs the symbol universe. */
export function mixNeedsSymbols(mix: ReadonlyMap<ScenarioName, number>): boolean {
  return NEEDS_SYMBOLS.some((s) => (mix.get(s) ?? 0) > 0);
}

/** One request to send, and how to account for it. */
export interface PlannedRequest {
  scenario: ScenarioName;
  /** The complete HTTP/1.1 request. */
  bytes: Uint8Array;
  /** Keep the response body (order answers, when look-ups need their ids). */
  keepBody: boolean;
  /** Safe to retry on a stale keep-alive connection. */
  idempotent: boolean;
  /** Malformed or rejected on purpose (`--invalid-ratio`): a 4xx answer is the expected one. */
  invalid: boolean;
  /** For one-line-per-request output: `MSFT SELL 42` for orders, `GET /risk` otherwise. */
  label: string;
}

/** What the factory needs to know about the run and the target. */
export interface FactoryConfig {
  mix: ReadonlyMap<ScenarioName, number>;
  symbols: readonly string[];
  /** Last known price per symbol (for limit prices); 100 when unknown. */
  prices: ReadonlyMap<string, number>;
  invalidRatio: number;
  quantityMin: number;
  quantityMax: number;
  /** Sides to pick from (default both). */
  sides?: readonly ("BUY" | "SELL")[];
  rng: Rng;
  /** `Host` header value. */
  host: string;
  /** Path prefix of the target URL ("" for none). */
  basePath: string;
}

const SIDES = ["BUY", "SELL"] as const;
/** Scenarios that always send the same request. */
const FIXED_PATHS = {
  positions: "/positions",
  risk: "/risk",
  history: "/orders",
  health: "/health",
  metrics: "/metrics",
} as const satisfies Partial<Record<ScenarioName, string>>;
const ORDER_ID_RING = 1024;

/** Makes the run's requests, one at a time, following the mix. */
export class RequestFactory {
  readonly #cfg: FactoryConfig;
  readonly #names: ScenarioName[] = [];
  readonly #cumulative: number[] = [];
  readonly #total: number;
  readonly #fixed = new Map<string, PlannedRequest>();
  readonly #orderIds: string[] = [];
  #orderIdNext = 0;
  readonly #wantIds: boolean;
  readonly #decoder = new TextDecoder();
  /** The one fixed request of a single-scenario mix such as `health` (the hot path vs wrk). */
  readonly #only: PlannedRequest | null = null;

  /** Create the factory. */
  constructor(cfg: FactoryConfig) {
    this.#cfg = cfg;
    let sum = 0;
    for (const [name, w] of cfg.mix) {
      if (w <= 0) continue;
      sum += w;
      this.#names.push(name);
      this.#cumulative.push(sum);
    }
    this.#total = sum;
    this.#wantIds = (cfg.mix.get("lookups") ?? 0) > 0;
    if (mixNeedsSymbols(cfg.mix) && cfg.symbols.length === 0) {
      throw new UsageError("The mix needs symbols but the universe is empty", "--symbols");
    }
    const fixed: string | undefined =
      (FIXED_PATHS as Partial<Record<ScenarioName, string>>)[this.#names[0]];
    if (this.#names.length === 1 && fixed !== undefined) {
      this.#only = this.#fixedGet(this.#names[0], fixed);
    }
  }

  /** The next request of the run. */
  next(): PlannedRequest {
    if (this.#only !== null) return this.#only;
    const names = this.#names;
    let name = names[0];
    if (names.length > 1) {
      const x = this.#cfg.rng.next() * this.#total;
      const cum = this.#cumulative;
      let k = 0;
      while (k < cum.length - 1 && x >= cum[k]) k++;
      name = names[k];
    }
    switch (name) {
      case "orders":
        return this.#marketOrder();
      case "limit":
        return this.#limitOrder();
      case "quotes":
        return this.#get(
          name,
          `/quotes/${encodeURIComponent(this.#cfg.rng.pick(this.#cfg.symbols))}`,
        );
      case "positions":
      case "risk":
      case "history":
      case "health":
      case "metrics":
        return this.#fixedGet(name, FIXED_PATHS[name]);
      case "lookups": {
        const ids = this.#orderIds;
        // No order placed yet: the history page instead.
        if (ids.length === 0) return this.#fixedGet(name, FIXED_PATHS.history);
        return this.#get(name, `/orders/${encodeURIComponent(this.#cfg.rng.pick(ids))}`);
      }
    }
  }

  /** Learn from an answer (the ids of placed orders, for look-ups). */
  observe(req: PlannedRequest, status: number, body: Uint8Array | null): void {
    if (!this.#wantIds || body === null || status >= 300 || req.invalid) return;
    if (req.scenario !== "orders" && req.scenario !== "limit") return;
    const m = /"id"\s*:\s*"?([A-Za-z0-9_.:-]+)/.exec(this.#decoder.decode(body));
    if (!m) return;
    if (this.#orderIds.length < ORDER_ID_RING) this.#orderIds.push(m[1]);
    else {
      this.#orderIds[this.#orderIdNext] = m[1];
      this.#orderIdNext = (this.#orderIdNext + 1) % ORDER_ID_RING;
    }
  }

  #path(p: string): string {
    return this.#cfg.basePath + p;
  }

  #get(scenario: ScenarioName, path: string): PlannedRequest {
    return {
      scenario,
      bytes: buildRequest("GET", this.#path(path), this.#cfg.host),
      keepBody: false,
      idempotent: true,
      invalid: false,
      label: `GET ${path}`,
    };
  }

  #fixedGet(scenario: ScenarioName, path: string): PlannedRequest {
    const key = `${scenario} ${path}`;
    let req = this.#fixed.get(key);
    if (!req) {
      req = this.#get(scenario, path);
      this.#fixed.set(key, req);
    }
    return req;
  }

  #orderFields(): { symbol: string; side: string; quantity: number } {
    const { rng, symbols, quantityMin, quantityMax } = this.#cfg;
    return {
      symbol: rng.pick(symbols),
      side: rng.pick(this.#cfg.sides ?? SIDES),
      quantity: rng.int(quantityMin, quantityMax),
    };
  }

  #wantInvalid(): boolean {
    return this.#cfg.invalidRatio > 0 && this.#cfg.rng.next() < this.#cfg.invalidRatio;
  }

  #marketOrder(): PlannedRequest {
    const { symbol, side, quantity } = this.#orderFields();
    const params: [string, string][] = [
      ["symbol", symbol],
      ["side", side],
      ["quantity", String(quantity)],
    ];
    const invalid = this.#wantInvalid();
    let label = `${symbol} ${side} ${quantity}`;
    if (invalid) {
      // Each is refused by validation or by a risk limit before reaching the venue.
      switch (this.#cfg.rng.int(0, 5)) {
        case 0:
          params[0][1] = "ZZZZ"; // unknown symbol
          break;
        case 1:
          params[1][1] = "HOLD"; // no such side
          break;
        case 2:
          params[2][1] = "0"; // quantity must be positive
          break;
        case 3:
          params[2][1] = "abc"; // not a number
          break;
        case 4:
          params.splice(0, 1); // symbol missing
          break;
        default:
          params[2][1] = "1000000000"; // beyond every size and notional limit
      }
      label = params.map(([, v]) => v).join(" ") + " (invalid)";
    }
    const query = params.map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join("&");
    return {
      scenario: "orders",
      bytes: buildRequest("POST", this.#path(`/orders?${query}`), this.#cfg.host),
      keepBody: this.#wantIds,
      idempotent: false,
      invalid,
      label,
    };
  }

  #limitOrder(): PlannedRequest {
    const { symbol, side, quantity } = this.#orderFields();
    const { rng, prices } = this.#cfg;
    const last = prices.get(symbol) ?? 100;
    // Within ±1% of the last price: some limits are marketable (filled), some not (cancelled).
    const price = Math.max(0.01, Math.round(last * (1 + (rng.next() * 2 - 1) * 0.01) * 100) / 100);
    const order: Record<string, unknown> = { symbol, side, quantity, type: "limit", price };
    const invalid = this.#wantInvalid();
    let body: string;
    let label = `${symbol} ${side} ${quantity} @ ${price}`;
    if (invalid) {
      switch (rng.int(0, 3)) {
        case 0:
          body = JSON.stringify(order).slice(0, -5); // malformed JSON
          label = "malformed JSON (invalid)";
          break;
        case 1:
          order.price = -price; // negative limit price
          body = JSON.stringify(order);
          label += " negative price (invalid)";
          break;
        case 2:
          order.type = "stop"; // unsupported order type
          body = JSON.stringify(order);
          label += " type=stop (invalid)";
          break;
        default:
          delete order.price; // limit without a price
          body = JSON.stringify(order);
          label += " no price (invalid)";
      }
    } else {
      body = JSON.stringify(order);
    }
    return {
      scenario: "limit",
      bytes: buildRequest("POST", this.#path("/orders"), this.#cfg.host, body),
      keepBody: this.#wantIds,
      idempotent: false,
      invalid,
      label,
    };
  }
}
