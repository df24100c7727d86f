/**
 * The honest anchor of the POST /orders bench: a bare `Deno.serve` handler that performs the
 * same durable insert as the service, through the same store (`SqliteStore`: WAL,
 * `synchronous=NORMAL`, group commit, the checkpoint worker), and nothing else: no Hono, no
 * validation beyond reading three query parameters, no engine, no risk checks, no metrics, no
 * access log. POST /orders against it, beside the service, shows what the engine, validation
 * and metrics cost on top of the write itself.
 *
 * Usage: deno run START_FLAGS bench/bare_orders.ts DB_PATH (prints `{"port":N}` when listening).
 *
 * @module
 */
import { SqliteStore } from "../src/store/sqlite.ts";
import type { Side } from "../src/trading/types.ts";

const store = new SqliteStore({ path: Deno.args[0], poolSize: 4 });
let n = 0;
const HEADERS = { "content-type": "application/json" };

const server = Deno.serve({
  hostname: "127.0.0.1",
  port: 0,
  onListen: (a) => console.log(JSON.stringify({ port: a.port })),
}, async (req) => {
  const q = new URL(req.url).searchParams;
  const symbol = q.get("symbol") ?? "AAPL";
  const side = (q.get("side") ?? "BUY").toUpperCase() as Side;
  const quantity = Number(q.get("quantity") ?? 1);
  const now = new Date().toISOString();
  const id = `bare-${Deno.pid}-${++n}`;
  const order = {
    id,
    symbol,
    side,
    type: "market" as const,
    quantity,
    limitPrice: null,
    status: "filled" as const,
    filledQuantity: quantity,
    fillPrice: 100,
    reason: null,
    receivedAt: now,
    completedAt: now,
  };
  const commit = await store.append({
    order,
    fill: { orderId: id, symbol, side, quantity, price: 100, time: now },
    maxPosition: 1e12,
  });
  return new Response(JSON.stringify(commit.order), { status: 201, headers: HEADERS });
});

Deno.addSignalListener("SIGTERM", async () => {
  await server.shutdown();
  await store.close();
  Deno.exit(0);
});
