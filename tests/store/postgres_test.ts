import assert from "node:assert/strict";
import { PostgresStore, StoreUnavailableError } from "../../src/store/postgres.ts";
import type { Order } from "../../src/trading/types.ts";
import { startPostgres } from "../support/postgres.ts";

const pg = await startPostgres();
let databases = 0;

function buy(id: string, quantity: number, price = 100): Parameters<PostgresStore["commit"]>[0] {
  const now = new Date().toISOString();
  const order: Order = {
    id,
    symbol: "AAPL",
    side: "BUY",
    type: "market",
    quantity,
    limitPrice: null,
    status: "filled",
    filledQuantity: quantity,
    fillPrice: price,
    reason: null,
    receivedAt: now,
    completedAt: now,
  };
  return {
    order,
    fill: { orderId: id, symbol: "AAPL", side: "BUY", quantity, price, time: now },
    maxPosition: 100,
  };
}

Deno.test({
  name: "postgres store",
  ignore: pg === null,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn(t) {
    try {
      await t.step("replicas starting at once apply each migration once", async () => {
        const url = await pg!.createDatabase(`migrate${++databases}`);
        const stores = await Promise.all(
          Array.from({ length: 4 }, () => PostgresStore.open({ url, poolSize: 2 })),
        );
        await Promise.all(stores.map((s) => s.close()));
        const db = url.slice(url.lastIndexOf("/") + 1);
        assert.equal(await pg!.sql("SELECT count(*) FROM schema_migrations", db), "1");
        // Reopening finds nothing to migrate and keeps the data.
        const again = await PostgresStore.open({ url, poolSize: 1 });
        await again.close();
        assert.equal(await pg!.sql("SELECT count(*) FROM schema_migrations", db), "1");
      });

      await t.step("the position limit holds across two stores (replicas)", async () => {
        const url = await pg!.createDatabase(`limit${++databases}`);
        const a = await PostgresStore.open({ url, poolSize: 4 });
        const b = await PostgresStore.open({ url, poolSize: 4 });
        try {
          const results = await Promise.all(
            Array.from({ length: 60 }, (_, i) => (i % 2 ? a : b).commit(buy(`o${i}`, 10))),
          );
          const filled = results.filter((r) => r.order.status === "filled");
          const rejected = results.filter((r) => r.order.status === "rejected");
          assert.equal(filled.length, 10);
          assert.equal(rejected.length, 50);
          assert.match(rejected[0].order.reason!, /exceeds the limit of 100 shares/);
          const positions = await a.loadPositions();
          assert.deepEqual(positions.map((p) => [p.symbol, p.quantity]), [["AAPL", 100]]);
          // The stored orders agree: 10 filled, and each answered position was committed.
          const page = await b.listOrders({ limit: 100 });
          assert.equal(page.orders.length, 60);
          assert.equal(page.orders.filter((o) => o.status === "filled").length, 10);
          const quantities = filled.map((r) => r.position!.quantity).sort((x, y) => x - y);
          assert.deepEqual(quantities, [10, 20, 30, 40, 50, 60, 70, 80, 90, 100]);
        } finally {
          await a.close();
          await b.close();
        }
      });

      await t.step("pool counters come from the pool", async () => {
        const url = await pg!.createDatabase(`pool${++databases}`);
        const s = await PostgresStore.open({ url, poolSize: 3 });
        try {
          const busy = Promise.all(Array.from({ length: 5 }, () => s.getOrder("x")));
          const during = s.poolState;
          await busy;
          assert.equal(during.max, 3);
          assert.ok(during.active + during.waiting >= 3, JSON.stringify(during));
          const after = s.poolState;
          assert.equal(after.active, 0);
          assert.equal(after.waiting, 0);
          assert.ok(after.idle >= 1 && after.idle <= 3, JSON.stringify(after));
        } finally {
          await s.close();
        }
      });

      await t.step("a lost database refuses writes (503 error), then recovers", async () => {
        const url = await pg!.createDatabase(`lost${++databases}`);
        const s = await PostgresStore.open({ url, poolSize: 2, timeoutMs: 1000 });
        try {
          await s.commit(buy("before", 1));
          await pg!.stop();
          await assert.rejects(s.commit(buy("during", 1)), StoreUnavailableError);
          assert.equal(await s.ping(), false);
          await assert.rejects(s.getOrder("before"), StoreUnavailableError);
          await pg!.start();
          assert.equal(await s.ping(), true);
          const r = await s.commit(buy("after", 1));
          assert.equal(r.position?.quantity, 2);
          assert.equal(await s.getOrder("during"), null);
          assert.equal((await s.getOrder("after"))?.status, "filled");
        } finally {
          await s.close();
        }
      });
    } finally {
      await pg!.destroy();
    }
  },
});
