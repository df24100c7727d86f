/**
 * The in-memory book: positions of a fixed universe of symbols, marked to market on every tick
 * (unrealised P&L is quantity × (mark − average cost); the mark is the latest mid price). The
 * accounting itself is `position.ts`'s `applyFill`; the engine sets each symbol's position to
 * what the store committed.
 *
 * @module
 */

import type { Position, Side } from "./types.ts";
import type { StoredPosition } from "./ports.ts";
import { applyFill, flatPosition } from "./position.ts";

interface Book {
  quantity: number;
  avgCost: number;
  realizedPnl: number;
  mark: number;
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
    for (const p of stored) this.set(p);
  }

  /** The signed quantity held in `symbol` (0 when flat or unknown). */
  quantity(symbol: string): number {
    return this.#books.get(symbol)?.quantity ?? 0;
  }

  /** Sets a symbol's stored state (a committed position); unknown symbols are ignored. */
  set(position: StoredPosition): void {
    const b = this.#books.get(position.symbol);
    if (b === undefined) return;
    b.quantity = position.quantity;
    b.avgCost = position.avgCost;
    b.realizedPnl = position.realizedPnl;
  }

  /** The stored state of a symbol (flat for an unknown one). */
  stored(symbol: string): StoredPosition {
    const b = this.#books.get(symbol);
    return b === undefined
      ? flatPosition(symbol)
      : { symbol, quantity: b.quantity, avgCost: b.avgCost, realizedPnl: b.realizedPnl };
  }

  /** Applies a fill (`applyFill`) and returns the symbol's stored state afterwards. */
  apply(symbol: string, side: Side, quantity: number, price: number): StoredPosition {
    if (!this.#books.has(symbol)) throw new RangeError(`Unknown symbol ${symbol}`);
    const next = applyFill(this.stored(symbol), { side, quantity, price });
    this.set(next);
    return next;
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
