/**
 * The store contract: one suite of behaviour every `OrderStore` backend must show, run against
 * SQLite (`sqlite_contract_test.ts`) and PostgreSQL (`postgres_contract_test.ts`).
 *
 * @module
 */

import assert from "node:assert/strict";
import { applyFill } from "../../src/trading/position.ts";
import type { OrderStore, OrderWrite, StoredPosition } from "../../src/trading/ports.ts";
import { InvalidCursorError } from "../../src/trading/ports.ts";
import type { Order } from "../../src/trading/types.ts";

/**
 * Opens a store: `open` on the contract's database (empty at first; again after `close`, the
 * same data), `fresh` on another empty database.
 */
export interface StoreFactory {
  open(): Promise<OrderStore>;
  fresh(): Promise<OrderStore>;
  cleanup(): Promise<void>;
}

/** Order `i` of the test data (AAPL for odd i, MSFT for even; SELL every third), filled. */
export function order(i: number, extra: Partial<Order> = {}): Order {
  return {
    id: `order-${i}`,
    symbol: i % 2 ? "AAPL" : "MSFT",
    side: i % 3 ? "BUY" : "SELL",
    type: "market",
    quantity: i,
    limitPrice: null,
    status: "filled",
    filledQuantity: i,
    fillPrice: 100 + i,
    reason: null,
    receivedAt: new Date(1_700_000_000_000 + i).toISOString(),
    completedAt: new Date(1_700_000_000_001 + i).toISOString(),
    ...extra,
  };
}

/** The write of order `i` (see `order`): filled at its price and time, all of it. */
export function write(i: number, maxPosition = 1e9): OrderWrite {
  const o = order(i);
  return {
    order: o,
    fill: {
      orderId: o.id,
      symbol: o.symbol,
      side: o.side,
      quantity: o.quantity,
      price: o.fillPrice!,
      time: o.completedAt,
    },
    maxPosition,
  };
}

/** Writes whose positions follow from their fills, as the domain computes them. */
function writes(n: number): { writes: OrderWrite[]; positions: Map<string, StoredPosition> } {
  const positions = new Map<string, StoredPosition>();
  const out: OrderWrite[] = [];
  for (let i = 1; i <= n; i++) {
    const w = write(i);
    const fill = w.fill!;
    const before = positions.get(fill.symbol) ??
      { symbol: fill.symbol, quantity: 0, avgCost: 0, realizedPnl: 0 };
    const position = applyFill(before, fill);
    positions.set(fill.symbol, position);
    out.push(w);
  }
  return { writes: out, positions };
}

function close(a: number, b: number): boolean {
  return Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b));
}

function assertPositions(actual: StoredPosition[], expected: Map<string, StoredPosition>): void {
  assert.equal(actual.length, expected.size);
  for (const p of actual) {
    const e = expected.get(p.symbol)!;
    assert.ok(e, p.symbol);
    assert.ok(close(p.quantity, e.quantity), `${p.symbol} quantity ${p.quantity} ${e.quantity}`);
    assert.ok(close(p.avgCost, e.avgCost), `${p.symbol} avgCost ${p.avgCost} ${e.avgCost}`);
    assert.ok(close(p.realizedPnl, e.realizedPnl), `${p.symbol} pnl`);
  }
}

/** Registers the contract's steps on `t`. */
export async function storeContract(t: Deno.TestContext, factory: StoreFactory): Promise<void> {
  try {
    await t.step("round trip, newest-first pagination, invalid cursor", async () => {
      const store = await factory.open();
      try {
        const { writes: ws, positions } = writes(25);
        // Concurrent appends form group-commit batches; each resolves once committed, with the
        // order as stored and the symbol's position after its fill.
        const commits = await Promise.all(ws.map((w) => store.append(w)));
        assert.deepEqual(commits[6].order, order(7));
        assertPositions([commits[24].position!], new Map([["AAPL", positions.get("AAPL")!]]));
        const rejected = order(26, {
          status: "rejected",
          filledQuantity: 0,
          fillPrice: null,
          reason: "Too big",
          type: "limit",
          limitPrice: 1.5,
        });
        assert.deepEqual(await store.append({ order: rejected, fill: null, maxPosition: 1 }), {
          order: rejected,
          position: null,
        });
        assert.deepEqual(await store.getOrder("order-7"), order(7));
        assert.deepEqual(await store.getOrder("order-26"), rejected);
        assert.equal(await store.getOrder("nope"), null);
        const seen: string[] = [];
        let cursor: string | undefined;
        let pages = 0;
        do {
          const page = await store.listOrders({ limit: 10, before: cursor });
          pages++;
          seen.push(...page.orders.map((o) => o.id));
          cursor = page.nextCursor ?? undefined;
        } while (cursor !== undefined);
        assert.equal(pages, 3);
        assert.deepEqual(seen, Array.from({ length: 26 }, (_, i) => `order-${26 - i}`));
        // An exact multiple ends with a null cursor, not an empty page.
        const all = await store.listOrders({ limit: 26 });
        assert.equal(all.orders.length, 26);
        assert.equal(all.nextCursor, null);
        for (const bad of ["0", "abc", "-1", "1e3", "", "99999999999999999999", "x1"]) {
          await assert.rejects(store.listOrders({ limit: 5, before: bad }), InvalidCursorError);
        }
        assertPositions(await store.loadPositions(), positions);
        assert.equal(await store.ping(), true);
      } finally {
        await store.close();
      }
    });

    await t.step("acknowledged writes and positions survive a reopen", async () => {
      const store = await factory.open();
      try {
        assert.equal((await store.listOrders({ limit: 100 })).orders.length, 26);
        assertPositions(await store.loadPositions(), writes(25).positions);
      } finally {
        await store.close();
      }
    });

    await t.step("a closed store answers ping false and refuses writes", async () => {
      const store = await factory.open();
      await store.close();
      assert.equal(await store.ping(), false);
      await assert.rejects(store.append(writes(1).writes[0]));
    });

    await t.step("a fill beyond the position limit is stored as rejected, without it", async () => {
      const store = await factory.fresh();
      const limited = (i: number) => ({ ...writes(i).writes[i - 1], maxPosition: 4 });
      try {
        // order 1: AAPL BUY 1; order 3: AAPL SELL 3; order 5: AAPL BUY 5 (1 - 3 + 5 = 3 long).
        const first = await store.append(limited(1));
        assert.deepEqual(first.position, {
          symbol: "AAPL",
          quantity: 1,
          avgCost: 101,
          realizedPnl: 0,
        });
        // In one batch: -2 is within 4; then +5 makes 3, within 4; then BUY 7 → 10 > 4.
        const [a, b, c] = await Promise.all([3, 5, 7].map((i) => store.append(limited(i))));
        assert.equal(a.order.status, "filled");
        assert.equal(a.position!.quantity, -2);
        assert.equal(b.position!.quantity, 3);
        assert.equal(c.position, null);
        assert.deepEqual(c.order, {
          ...order(7),
          status: "rejected",
          filledQuantity: 0,
          fillPrice: null,
          reason: "Resulting position 10 exceeds the limit of 4 shares",
        });
        assert.deepEqual(await store.getOrder("order-7"), c.order);
        const positions = await store.loadPositions();
        assert.equal(positions.length, 1);
        assert.equal(positions[0].quantity, 3);
      } finally {
        await store.close();
      }
    });
  } finally {
    await factory.cleanup();
  }
}
