/**
 * The game-day table: for every alert of `alert_rules.yml` (next to this file), the run-time
 * faults (`PUT /admin/faults`, see the README's "Admin API") and the traffic that make it fire,
 * honestly, through the real service. `tradewatch --loadgen --game-day ALERT` runs one entry;
 * `--game-day all` runs them all (lanes side by side, `alone` entries by themselves).
 * tests/e2e fails when an alert has no entry here, or an entry names no alert. An entry whose
 * alert needs a backend the default stack lacks (PostgreSQL replicas, Redis) says so in `skip`:
 * `--game-day all` and tests/e2e leave it out and print the reason; `--game-day NAME` runs it.
 *
 * Traffic is `--loadgen` options; `$symbol` is the entry's symbol of the target's universe. Order
 * traffic stays on a symbol of its own (`--symbols $symbol`): a random walk of other orders on the
 * market lane's symbols would move the positions that LargePositionLoss and VaRAboveLimit build.
 *
 * @module
 */
import type { GameDayTable } from "../src/gameday/plan.ts";

/** Alert name to game-day plan. */
export const ALERT_FAULTS: GameDayTable = {
  HighAPILatency: {
    summary: "the venue answers in about 1.5 s (log-normal), under 10 orders/s",
    faults: { venue_latency: { distribution: "lognormal", medianMs: 1500, sigma: 0.3 } },
    traffic: ["--rate", "10", "--mix", "orders=1", "--symbols", "$symbol"],
    symbol: 3,
    lane: "latency",
  },
  HighOrderFailureRate: {
    summary: "the venue fails half of 10 orders/s (502); High5xxErrorRatio fires and is inhibited",
    faults: { venue_failure: { rate: 0.5 } },
    traffic: ["--rate", "10", "--mix", "orders=1", "--symbols", "$symbol"],
    symbol: 3,
    inhibits: ["High5xxErrorRatio"],
    lane: "venue",
  },
  LargePositionLoss: {
    summary: "buy $400,000 of the symbol, then its price drops 10% (a $40,000 loss)",
    faults: { price_shock: { symbol: "$symbol", percent: -10 } },
    position: { notional: 400_000 },
    symbol: 0,
    labels: { symbol: "$symbol" },
    lane: "market",
  },
  TradingAPIDown: {
    summary: "/metrics answers 503, so every scrape fails (up == 0)",
    faults: { http_errors: { endpoint: "/metrics", ratio: 1, status: 503 } },
    lane: "alone",
  },
  MarketDataStale: {
    summary: "the feed stops delivering the symbol's ticks (its lag freezes)",
    faults: { feed_stall: { symbols: ["$symbol"] } },
    symbol: 1,
    labels: { symbol: "$symbol", reason: "frozen" },
    lane: "feed",
  },
  VaRAboveLimit: {
    summary: "buy $500,000 of the symbol; its price jumps 15% down and back every 2 s",
    faults: { price_shock: { symbol: "$symbol", percent: -15 } },
    position: { notional: 500_000 },
    pulseMs: 2000,
    symbol: 2,
    labels: { confidence_level: "0.99" },
    lane: "market",
  },
  DBPoolExhausted: {
    summary: "every pooled database connection is held while 5 reads/s queue for one",
    faults: { db_pool_hold: { connections: "all" } },
    traffic: ["--rate", "5", "--mix", "history=1", "--timeout", "2s"],
    lane: "alone",
  },
  CacheHitRateLow: {
    summary: "the read cache is bypassed under 30 quote and position reads/s",
    faults: { cache: { mode: "bypass" } },
    traffic: ["--rate", "30", "--mix", "quotes=2,positions=1"],
    lane: "cache",
  },
  High5xxErrorRatio: {
    summary: "GET /risk answers 503 to half of 20 requests/s",
    faults: { http_errors: { endpoint: "/risk", ratio: 0.5, status: 503 } },
    traffic: ["--rate", "20", "--mix", "risk=1"],
    lane: "venue",
  },
  HighOrderRejectionRate: {
    summary: "a client sends 20 invalid orders/s (no fault: the traffic is the cause)",
    faults: {},
    traffic: ["--rate", "20", "--mix", "orders=1", "--invalid-ratio", "1", "--symbols", "$symbol"],
    recoveryTraffic: ["--rate", "20", "--mix", "orders=1", "--symbols", "$symbol"],
    symbol: 3,
    lane: "rejections",
  },
};
