/**
 * Defaults and validation of the engine configuration (`TradingConfig`).
 *
 * @module
 */

import type { TradingConfig } from "./types.ts";

/** The default engine configuration (five symbols, 250 ms ticks, file database, no failures). */
export function defaultTradingConfig(): TradingConfig {
  return {
    symbols: ["AAPL", "GOOGL", "MSFT", "AMZN", "TSLA"],
    tickIntervalMs: 250,
    volatility: 0.3,
    seed: 42,
    feedDelayMs: 5,
    venueLatencyMs: 2,
    failRate: 0,
    maxPosition: 10_000,
    maxNotional: 1_000_000,
    maxOrderQuantity: 10_000,
    dbPath: "./data/tradewatch.db",
    poolSize: 4,
    cacheTtlMs: 250,
    varWindow: 250,
    varIntervalMs: 1000,
    staleAfterMs: 5000,
  };
}

/** A configuration value out of range; `field` names the `TradingConfig` key. */
export class TradingConfigError extends RangeError {
  /** The offending `TradingConfig` key. */
  readonly field: keyof TradingConfig;
  constructor(field: keyof TradingConfig, message: string) {
    super(message);
    this.name = "TradingConfigError";
    this.field = field;
  }
}

function requireNumber(
  config: TradingConfig,
  field: keyof TradingConfig,
  ok: (value: number) => boolean,
  expectation: string,
): void {
  const value = config[field];
  if (typeof value !== "number" || !Number.isFinite(value) || !ok(value)) {
    throw new TradingConfigError(
      field,
      `Invalid ${field}: must be ${expectation}, got ${String(value)}`,
    );
  }
}

/** Throws `TradingConfigError` for the first invalid field. */
export function validateTradingConfig(config: TradingConfig): void {
  if (!Array.isArray(config.symbols) || config.symbols.length === 0) {
    throw new TradingConfigError("symbols", "Invalid symbols: list at least one symbol");
  }
  const seen = new Set<string>();
  for (const s of config.symbols) {
    if (typeof s !== "string" || !/^[A-Z0-9][A-Z0-9._-]{0,15}$/.test(s)) {
      throw new TradingConfigError(
        "symbols",
        `Symbol ${JSON.stringify(s)} must be 1-16 upper-case letters, digits, '.', '_' or '-'`,
      );
    }
    if (seen.has(s)) throw new TradingConfigError("symbols", `Symbol ${s} is listed twice`);
    seen.add(s);
  }
  requireNumber(config, "tickIntervalMs", (v) => v >= 1, "at least 1");
  requireNumber(config, "volatility", (v) => v >= 0 && v <= 10, "between 0 and 10");
  requireNumber(config, "seed", Number.isInteger, "an integer");
  requireNumber(config, "feedDelayMs", (v) => v >= 0, "at least 0");
  requireNumber(config, "venueLatencyMs", (v) => v >= 0, "at least 0");
  requireNumber(config, "failRate", (v) => v >= 0 && v <= 1, "between 0 and 1");
  requireNumber(config, "maxPosition", (v) => v > 0, "positive");
  requireNumber(config, "maxNotional", (v) => v > 0, "positive");
  requireNumber(config, "maxOrderQuantity", (v) => v > 0, "positive");
  requireNumber(config, "poolSize", (v) => Number.isInteger(v) && v >= 1, "an integer ≥ 1");
  requireNumber(config, "cacheTtlMs", (v) => v >= 0, "at least 0");
  requireNumber(config, "varWindow", (v) => Number.isInteger(v) && v >= 1, "an integer ≥ 1");
  requireNumber(config, "varIntervalMs", (v) => v >= 1, "at least 1");
  requireNumber(config, "staleAfterMs", (v) => v >= 1, "at least 1");
  if (typeof config.dbPath !== "string" || config.dbPath === "") {
    throw new TradingConfigError("dbPath", "Invalid dbPath: give a file path or :memory:");
  }
}
