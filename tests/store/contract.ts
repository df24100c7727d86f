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

/** Opens a fresh, empty store; `reopen` opens the same database again after `close`. */
export interface StoreFactory {
  open(): Promise<OrderStore>;
  reopen(): Promise<OrderStore>;
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

/** Writes whose positions follow from their fills, as the domain computes them. */
function writes(n: number): { writes: OrderWrite[]; positions: Map<string, StoredPosition> } {
  const positions = new Map<string, StoredPosition>();
  const out: OrderWrite[] = [];
  for (let i = 1; i <= n; i++) {
    const o = order(i);
    const fill = {
      orderId: o.id,
      symbol: o.symbol,
      side: o.side,
      quantity: o.quantity,
      price: o.fillPrice!,
      time: o.completedAt,
    };
    const before = positions.get(o.symbol) ??
      { symbol: o.symbol, quantity: 0, avgCost: 0, realizedPnl: 0 };
    const position = applyFill(before, fill);
    positions.set(o.symbol, position);
    out.push({ order: o, fill, maxPosition: 1e9 });
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
        // Concurrent appends form group-commit batches; each resolves once committed.
        await Promise.all(ws.map((w) => store.append(w)));
        const rejected = order(26, {
          status: "rejected",
          filledQuantity: 0,
          fillPrice: null,
          reason: "Too big",
          type: "limit",
          limitPrice: 1.5,
        });
        await store.append({ order: rejected, fill: null, maxPosition: 1e9 });
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
        const all = await store.listOrders({ limit: 26 });
        assert.equal(all.nextCursor, null);
        await assert.rejects(store.listOrders({ limit: 5, before: "x1" }), InvalidCursorError);
        assertPositions(await store.loadPositions(), positions);
        assert.equal(await store.ping(), true);
      } finally {
        await store.close();
      }
    });

    await t.step("acknowledged writes and positions survive a reopen", async () => {
      const store = await factory.reopen();
      try {
        assert.equal((await store.listOrders({ limit: 100 })).orders.length, 26);
        assertPositions(await store.loadPositions(), writes(25).positions);
      } finally {
        await store.close();
      }
    });

    await t.step("a closed store answers ping false and refuses writes", async () => {
      const store = await factory.reopen();
      await store.close();
      assert.equal(await store.ping(), false);
      await assert.rejects(store.append(writes(1).writes[0]));
    });
  } finally {
    await factory.cleanup();
  }
}
