/**
 * Average-cost position accounting with realised and unrealised P&L, long and short.
 *
 * - Adding to a position (or opening one) moves the average cost to the quantity-weighted mean.
 * - Reducing a position realises (fill price − average cost) × closed quantity × direction and
 *   keeps the average cost.
 * - Crossing through zero closes the old position (realising its P&L) and opens the remainder
 *   on the other side at the fill price.
 * - Unrealised P&L is quantity × (mark − average cost); the mark is the latest mid price.
 *
 * @module
 */

import type { Position, Side } from "./types.ts";
import type { StoredPosition } from "../store/types.ts";

/** Quantities smaller than this are treated as flat (guards float residue). */
const EPSILON = 1e-9;

interface Book {
  quantity: number;
  avgCost: number;
  realizedPnl: number;
  mark: number;
}

/**
 * The stored position after one fill (pure: the store applies it to its own stored row inside
 * the committing transaction, the in-memory book to its copy).
 */
export function applyFill(
  position: StoredPosition,
  fill: { side: Side; quantity: number; price: number },
): StoredPosition {
  const { quantity, price } = fill;
  const signed = fill.side === "BUY" ? quantity : -quantity;
  const q = position.quantity;
  let { avgCost, realizedPnl } = position;
  let next: number;
  if (q === 0 || Math.sign(q) === Math.sign(signed)) {
    const total = Math.abs(q) + quantity;
    avgCost = (Math.abs(q) * avgCost + quantity * price) / total;
    next = q + signed;
  } else {
    const closed = Math.min(quantity, Math.abs(q));
    realizedPnl += closed * (price - avgCost) * Math.sign(q);
    next = q + signed;
    if (Math.abs(next) < EPSILON) next = 0;
    if (next === 0) avgCost = 0;
    else if (Math.sign(next) !== Math.sign(q)) avgCost = price;
  }
  return { symbol: position.symbol, quantity: next, avgCost, realizedPnl };
}

/** Positions of a fixed universe of symbols. */
export class Portfolio {
  readonly #books = new Map<string, Book>();
  readonly symbols: readonly string[];

  /** Creates flat positions for every symbol, marked at `marks` (symbol → price). */
  constructor(symbols: readonly string[], marks: (symbol: string) => number) {
    this.symbols = [...symbols];
    for (const s of symbols) {
      this.#books.set(s, { quantity: 0, avgCost: 0, realizedPnl: 0, mark: marks(s) });
    }
  }

  /** Restores stored positions (symbols outside the universe are ignored). */
  restore(stored: readonly StoredPosition[]): void {
    for (const p of stored) {
      const b = this.#books.get(p.symbol);
      if (b === undefined) continue;
      b.quantity = p.quantity;
      b.avgCost = p.avgCost;
      b.realizedPnl = p.realizedPnl;
    }
  }

  /** The signed quantity held in `symbol` (0 when flat or unknown). */
  quantity(symbol: string): number {
    return this.#books.get(symbol)?.quantity ?? 0;
  }

  /** Applies a fill and returns the symbol's stored state afterwards. */
  apply(symbol: string, side: Side, quantity: number, price: number): StoredPosition {
    const b = this.#books.get(symbol);
    if (b === undefined) throw new RangeError(`Unknown symbol ${symbol}`);
    const next = applyFill(
      { symbol, quantity: b.quantity, avgCost: b.avgCost, realizedPnl: b.realizedPnl },
      { side, quantity, price },
    );
    this.set(next);
    return next;
  }

  /** Sets a symbol's stored state (from what the store committed). */
  set(position: StoredPosition): void {
    const b = this.#books.get(position.symbol);
    if (b === undefined) return;
    b.quantity = position.quantity;
    b.avgCost = position.avgCost;
    b.realizedPnl = position.realizedPnl;
  }

  /** Sets the mark price of a symbol. */
  mark(symbol: string, price: number): void {
    const b = this.#books.get(symbol);
    if (b !== undefined) b.mark = price;
  }

  /** Number of non-flat positions. */
  get openCount(): number {
    let n = 0;
    for (const b of this.#books.values()) if (b.quantity !== 0) n++;
    return n;
  }

  /** Market value of every symbol (quantity × mark), in universe order. */
  exposures(): Float64Array {
    const out = new Float64Array(this.symbols.length);
    this.symbols.forEach((s, i) => {
      const b = this.#books.get(s)!;
      out[i] = b.quantity * b.mark;
    });
    return out;
  }

  /** A snapshot of every symbol's position, in universe order (flat ones included). */
  snapshot(): Position[] {
    return this.symbols.map((symbol) => {
      const b = this.#books.get(symbol)!;
      return {
        symbol,
        quantity: b.quantity,
        avgCost: b.avgCost,
        marketPrice: b.mark,
        marketValue: b.quantity * b.mark,
        realizedPnl: b.realizedPnl,
        unrealizedPnl: b.quantity * (b.mark - b.avgCost),
      };
    });
  }
}
