/**
 * Validation of order requests (zod): the seed's query parameters (`symbol`, `side`, `quantity`)
 * and/or a JSON body with the same fields plus `type` and `price`. Field errors answer 422 with
 * the field's name; malformed input (bad JSON, a field given twice, in the query, in both query
 * and body, or as a duplicate JSON key) answers 400. Quantities are whole shares.
 *
 * @module
 */
import { z } from "zod";
import type { OrderRequest } from "../trading/types.ts";
import { ApiError, safeField } from "./errors.ts";

/** The fields an order request may carry. */
export const ORDER_FIELDS = ["symbol", "side", "quantity", "type", "price"] as const;
const ORDER_FIELD_SET: ReadonlySet<string> = new Set(ORDER_FIELDS);

const NUMERIC = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

function numberField(field: string) {
  return z.union([
    z.number({ error: `${field} must be a number` }),
    z.string().trim().max(64, { error: `${field} must be a number` }).regex(NUMERIC, {
      error: `${field} must be a number`,
    }).transform(Number),
  ], {
    error: (iss) => iss.input === undefined ? `${field} is required` : `${field} must be a number`,
  });
}

function stringField(field: string, max: number) {
  return z.string({
    error: (iss) => iss.input === undefined ? `${field} is required` : `${field} must be a string`,
  }).trim().max(max, { error: `${field} is too long` });
}

/** Build the zod schema of an order for a symbol universe and an order-size limit. */
export function orderSchema(symbols: readonly string[], maxQuantity: number) {
  const universe = new Set(symbols);
  return z.strictObject({
    symbol: stringField("symbol", 16).transform((s) => s.toUpperCase()).refine(
      (s) => universe.has(s),
      { error: "symbol is not in the trading universe (see GET /quotes)" },
    ),
    side: stringField("side", 8).transform((s) => s.toUpperCase()).pipe(
      z.enum(["BUY", "SELL"], { error: "side must be BUY or SELL" }),
    ),
    quantity: numberField("quantity").pipe(
      z.number({ error: "quantity must be a finite number" })
        .refine((n) => n > 0, { error: "quantity must be greater than 0" })
        // Whole shares: positions are sums of integers, exact below 2^53 (no 4e-10 residues).
        .refine((n) => Number.isInteger(n), { error: "quantity must be a whole number of shares" })
        .refine((n) => n <= maxQuantity, { error: `quantity must be at most ${maxQuantity}` }),
    ),
    type: stringField("type", 8).transform((s) => s.toLowerCase()).pipe(
      z.enum(["market", "limit"], { error: "type must be market or limit" }),
    ).optional(),
    price: numberField("price").pipe(
      z.number({ error: "price must be a finite number" })
        .refine((n) => n > 0, { error: "price must be greater than 0" })
        .refine((n) => n <= 1e9, { error: "price must be at most 1000000000" }),
    ).optional(),
  }, {
    error: (iss) =>
      iss.code === "unrecognized_keys" ? "unknown field" : "the order must be a JSON object",
  }).transform((o, ctx): OrderRequest => {
    const type = o.type ?? (o.price !== undefined ? "limit" : "market");
    if (type === "limit" && o.price === undefined) {
      ctx.addIssue({
        code: "custom",
        path: ["price"],
        message: "price is required for limit orders",
      });
      return z.NEVER;
    }
    if (type === "market" && o.price !== undefined) {
      ctx.addIssue({
        code: "custom",
        path: ["price"],
        message: "price is only allowed for limit orders",
      });
      return z.NEVER;
    }
    return { symbol: o.symbol, side: o.side, quantity: o.quantity, type, price: o.price };
  });
}

/** An order schema, as built by {@link orderSchema}. */
export type OrderSchema = ReturnType<typeof orderSchema>;

/**
 * Merge the query parameters and the parsed JSON body of `POST /orders` into one raw object.
 * @throws {ApiError} 400 when a field is given twice (in the query, or in both query and body)
 */
export function mergeOrderInput(
  query: URLSearchParams,
  body: unknown,
): Record<string, unknown> {
  const raw: Record<string, unknown> = {};
  for (const key of new Set(query.keys())) {
    if (query.getAll(key).length > 1) {
      throw new ApiError(400, "field is given more than once", safeField(key, "query"));
    }
    raw[key] = query.get(key);
  }
  if (body !== undefined) {
    if (body === null || typeof body !== "object" || Array.isArray(body)) {
      throw new ApiError(400, "the body must be a JSON object", "body");
    }
    for (const [key, value] of Object.entries(body)) {
      if (key in raw) {
        throw new ApiError(
          400,
          "field is given in both the query string and the body",
          safeField(key, "body"),
        );
      }
      raw[key] = value;
    }
  }
  return raw;
}

/**
 * Validate a merged raw order.
 * @throws {ApiError} 422 naming the first offending field
 */
export function validateOrder(schema: OrderSchema, raw: Record<string, unknown>): OrderRequest {
  const result = schema.safeParse(raw);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  if (issue.code === "unrecognized_keys") {
    const key = issue.keys.find((k) => !ORDER_FIELD_SET.has(k)) ?? "";
    throw new ApiError(422, "unknown field", safeField(key, "body"));
  }
  const field = issue.path.length ? String(issue.path[0]) : null;
  throw new ApiError(422, issue.message, field);
}
