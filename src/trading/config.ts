/**
 * The engine configuration's schema (zod): every `TradingConfig` field with its range and its
 * default, in one place. The command line and the environment (`src/config.ts`) map their
 * flags and variables onto these keys; `createTradingService` validates with the same schema.
 *
 * @module
 */

import { z } from "zod";
import type { TradingConfig } from "./types.ts";
import { describeRange, inRange, type Range } from "../range.ts";

export { describeRange, type Range };

/** A symbol: 1-16 upper-case letters, digits, '.', '_' or '-', starting with a letter or digit. */
export const SYMBOL_PATTERN: RegExp = /^[A-Z0-9][A-Z0-9._-]{0,15}$/;
/** What {@link SYMBOL_PATTERN} expects, in words. */
export const SYMBOL_EXPECTATION =
  "1-16 upper-case letters, digits, '.', '_' or '-', starting with a letter or digit";
/** Largest symbol universe. */
export const MAX_SYMBOLS = 2000;

/** The default database file (relative to the working directory). */
export const DEFAULT_DB_PATH = "./data/tradewatch.db";

/** Whether a `dbPath` names a PostgreSQL database (`postgres://` or `postgresql://`). */
export function isPostgresUrl(path: string): boolean {
  return /^postgres(ql)?:\/\//i.test(path);
}

function validPostgresUrl(url: string): boolean {
  try {
    return new URL(url).hostname !== "";
  } catch {
    return false;
  }
}

/** A number field in `r`; its error message is the range in words. */
export function numberIn(r: Range): z.ZodType<number> {
  const expected = describeRange(r);
  return z.custom<number>((v) => inRange(v, r), { error: expected });
}

/** The symbol universe: at least one, each matching {@link SYMBOL_PATTERN}, none twice. */
export const symbolsSchema: z.ZodType<string[]> = z.array(z.string(), {
  error: "a list of symbols",
}).superRefine((list, ctx) => {
  if (list.length === 0) ctx.addIssue({ code: "custom", message: "at least one symbol" });
  if (list.length > MAX_SYMBOLS) {
    ctx.addIssue({ code: "custom", message: `at most ${MAX_SYMBOLS} symbols` });
  }
  const seen = new Set<string>();
  for (const s of list) {
    if (!SYMBOL_PATTERN.test(s)) {
      ctx.addIssue({
        code: "custom",
        message: `symbols of ${SYMBOL_EXPECTATION}, got ${JSON.stringify(s.slice(0, 40))}`,
      });
      return;
    }
    if (seen.has(s)) {
      ctx.addIssue({ code: "custom", message: `no duplicate symbols (${s} twice)` });
      return;
    }
    seen.add(s);
  }
});

/** The ranges of the numeric fields (also shown by `--help`). */
export const TRADING_RANGES = {
  tickIntervalMs: { min: 1, max: 3_600_000, int: true },
  volatility: { min: 0, max: 10 },
  seed: { min: 0, max: Number.MAX_SAFE_INTEGER, int: true },
  feedDelayMs: { min: 0, max: 60_000 },
  venueLatencyMs: { min: 0, max: 60_000 },
  failRate: { min: 0, max: 1 },
  maxPosition: { gt: 0 },
  maxNotional: { gt: 0 },
  maxOrderQuantity: { gt: 0 },
  poolSize: { min: 1, max: 64, int: true },
  cacheTtlMs: { min: 0, max: 3_600_000 },
  varWindow: { min: 2, max: 1_000_000, int: true },
  varIntervalMs: { min: 1, max: 3_600_000, int: true },
  staleAfterMs: { min: 1, max: 86_400_000, int: true },
} as const satisfies Record<string, Range>;

/** The engine configuration: every field, its range and its default. */
export const tradingConfigSchema = z.object({
  symbols: symbolsSchema.default(() => ["AAPL", "GOOGL", "MSFT", "AMZN", "TSLA"]),
  tickIntervalMs: numberIn(TRADING_RANGES.tickIntervalMs).default(250),
  volatility: numberIn(TRADING_RANGES.volatility).default(0.3),
  seed: numberIn(TRADING_RANGES.seed).default(42),
  feedDelayMs: numberIn(TRADING_RANGES.feedDelayMs).default(5),
  venueLatencyMs: numberIn(TRADING_RANGES.venueLatencyMs).default(2),
  failRate: numberIn(TRADING_RANGES.failRate).default(0),
  maxPosition: numberIn(TRADING_RANGES.maxPosition).default(10_000),
  maxNotional: numberIn(TRADING_RANGES.maxNotional).default(1_000_000),
  maxOrderQuantity: numberIn(TRADING_RANGES.maxOrderQuantity).default(10_000),
  dbPath: z.string({ error: "a file path, :memory: or a postgres:// URL" }).refine(
    (p) => p.trim() !== "" && !p.includes("\0") && (!isPostgresUrl(p) || validPostgresUrl(p)),
    { error: "a file path, :memory: or a postgres://user@host:port/database URL" },
  ).default(DEFAULT_DB_PATH),
  cacheUrl: z.string().regex(/^rediss?:\/\/\S+$/, { error: "a redis:// URL" }).nullable()
    .default(null),
  poolSize: numberIn(TRADING_RANGES.poolSize).default(4),
  cacheTtlMs: numberIn(TRADING_RANGES.cacheTtlMs).default(250),
  varWindow: numberIn(TRADING_RANGES.varWindow).default(250),
  varIntervalMs: numberIn(TRADING_RANGES.varIntervalMs).default(1000),
  staleAfterMs: numberIn(TRADING_RANGES.staleAfterMs).default(5000),
});

/**
 * The default engine configuration (five symbols, 250 ms ticks, file database, no failures).
 * (Typed as `TradingConfig`: a field the schema lacks fails to compile.)
 */
export function defaultTradingConfig(): TradingConfig {
  return tradingConfigSchema.parse({});
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

/**
 * Checks a complete config against the schema.
 * @throws {TradingConfigError} for the first invalid field: `Invalid FIELD: must be …, got …`
 */
export function validateTradingConfig(config: TradingConfig): void {
  const result = tradingConfigSchema.safeParse(config);
  if (result.success) return;
  const issue = result.error.issues[0];
  const field = String(issue.path[0] ?? "symbols") as keyof TradingConfig;
  const value = (config as unknown as Record<string, unknown>)[field];
  const shown = Array.isArray(value) ? JSON.stringify(value).slice(0, 60) : String(value);
  throw new TradingConfigError(field, `Invalid ${field}: must be ${issue.message}, got ${shown}`);
}
