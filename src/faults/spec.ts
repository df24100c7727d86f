/**
 * The run-time faults of the admin API and the zod schema of `PUT /admin/faults`. A body names
 * the faults to set (each replaces the fault of that name; `null` clears it) and an optional
 * `ttl` after which the faults it sets expire by themselves.
 *
 * @module
 */
import { z } from "zod";
import { parseDuration } from "../duration.ts";
import { ENDPOINT_LABELS, FAULT_NAMES } from "../metrics/labels.ts";

/** A fault's name, as in the body and in `tradewatch_fault_active{fault}`. */
export type FaultName = typeof FAULT_NAMES[number];

/** The `http_errors` fault's statuses. */
export const INJECTED_STATUSES = [500, 502, 503] as const;

/** The longest TTL (and the longest duration of any fault parameter). */
const MAX_TTL_MS = 24 * 3_600_000;

const ms = (max: number) => z.number().finite().min(0).max(max);

const latency = z.discriminatedUnion("distribution", [
  z.strictObject({ distribution: z.literal("fixed"), ms: ms(60_000) }),
  z.strictObject({ distribution: z.literal("uniform"), minMs: ms(60_000), maxMs: ms(60_000) })
    .refine((v) => v.minMs <= v.maxMs, { error: "minMs must not exceed maxMs", path: ["minMs"] }),
  z.strictObject({
    distribution: z.literal("lognormal"),
    medianMs: ms(60_000),
    sigma: z.number().finite().min(0).max(3).default(0.5),
  }),
], { error: "distribution must be fixed, uniform or lognormal" });

/** Endpoints errors can be injected on: every route but the admin API itself. */
const INJECTABLE = ENDPOINT_LABELS.filter((e) => e !== "/admin/faults" && e !== "unmatched");

/** Build the schema of a `PUT /admin/faults` body for a symbol universe and pool size. */
export function faultsSchema(symbols: readonly string[], poolSize: number) {
  const universe = new Set(symbols);
  const symbol = z.string().transform((s) => s.toUpperCase()).refine((s) => universe.has(s), {
    error: "symbol is not in the trading universe",
  });
  const faults = {
    venue_failure: z.strictObject({ rate: z.number().min(0).max(1) }),
    venue_latency: latency,
    feed_stall: z.strictObject({
      symbols: z.union([z.literal("all"), z.array(symbol).min(1).max(symbols.length)], {
        error: 'symbols must be "all" or a list of symbols',
      }),
    }),
    price_shock: z.strictObject({
      symbol,
      percent: z.number().gt(-100).max(1000).refine((p) => p !== 0, { error: "percent is 0" }),
    }),
    db_pool_hold: z.strictObject({
      connections: z.union([
        z.literal("all").transform(() => poolSize),
        z.number().int().min(1).max(poolSize),
      ], { error: `connections must be "all" or 1 to the pool size (${poolSize})` }),
    }),
    cache: z.strictObject({ mode: z.enum(["bypass", "outage"]) }),
    http_errors: z.strictObject({
      endpoint: z.enum(INJECTABLE as [string, ...string[]], {
        error: "endpoint must be a route template such as /orders or /quotes/:symbol",
      }),
      ratio: z.number().gt(0).max(1),
      status: z.union(INJECTED_STATUSES.map((s) => z.literal(s)), {
        error: "status must be 500, 502 or 503",
      }).default(500),
    }),
    cpu_burn: z.strictObject({ busyMs: ms(5_000).gt(0), everyMs: ms(60_000).gt(0) }).refine(
      (v) => v.busyMs < v.everyMs,
      { error: "busyMs must be below everyMs", path: ["busyMs"] },
    ),
  } satisfies Record<FaultName, z.ZodType>;
  const shape = Object.fromEntries(
    Object.entries(faults).map(([name, schema]) => [name, schema.nullable().optional()]),
  ) as { [K in FaultName]: z.ZodOptional<z.ZodNullable<typeof faults[K]>> };
  return z.strictObject({
    ...shape,
    ttl: z.union([z.string(), z.number()]).transform((v, ctx) => {
      const parsed = typeof v === "number" ? v * 1000 : parseDuration(v);
      if (parsed === null || !(parsed >= 1000 && parsed <= MAX_TTL_MS)) {
        ctx.addIssue({ code: "custom", message: "ttl must be a duration from 1s to 24h" });
        return z.NEVER;
      }
      return parsed;
    }).optional(),
  });
}

/** A parsed `PUT /admin/faults` body. */
export type FaultsRequest = z.output<ReturnType<typeof faultsSchema>>;

/** The parameters of each fault. */
export type FaultParams = { [K in FaultName]: NonNullable<FaultsRequest[K]> };

/** An invalid body: the message and the dotted path of the first offending field. */
export class FaultsInputError extends Error {
  readonly field: string;
  constructor(message: string, field: string) {
    super(message);
    this.name = "FaultsInputError";
    this.field = field;
  }
}

/**
 * Validate a `PUT /admin/faults` body.
 * @throws {FaultsInputError} naming the first offending field (`venue_failure.rate`)
 */
export function parseFaultsRequest(
  schema: ReturnType<typeof faultsSchema>,
  body: unknown,
): FaultsRequest {
  if (body === null || typeof body !== "object" || Array.isArray(body)) {
    throw new FaultsInputError("the body must be a JSON object", "body");
  }
  const result = schema.safeParse(body);
  if (result.success) {
    if (!FAULT_NAMES.some((n) => n in result.data)) {
      throw new FaultsInputError(`name at least one fault: ${FAULT_NAMES.join(", ")}`, "body");
    }
    return result.data;
  }
  const issue = result.error.issues[0];
  const path = issue.path.map(String);
  if (issue.code === "unrecognized_keys") {
    const key = issue.keys[0] ?? "";
    const field = [...path, /^[A-Za-z_][A-Za-z0-9_]{0,31}$/.test(key) ? key : "?"].join(".");
    const known = path.length === 0 ? `: faults are ${FAULT_NAMES.join(", ")} (and ttl)` : "";
    throw new FaultsInputError(`unknown field${known}`, field);
  }
  const message = issue.code === "invalid_type" && issue.input === undefined
    ? `${path.at(-1)} is required`
    : issue.message;
  throw new FaultsInputError(message, path.join(".") || "body");
}
