/** The route table drives registration, `GET /`, `Allow` and the `endpoint` label set. */
import assert from "node:assert/strict";
import { ROUTE_TEMPLATES as LABELS } from "../../src/metrics/labels.ts";
import { knownPaths, ROUTE_TEMPLATES, ROUTES } from "../../src/server/routes.ts";
import { startInProcess } from "./helpers.ts";

Deno.test("route table: the endpoint labels are its templates, each Allow its methods", () => {
  assert.equal(LABELS, ROUTE_TEMPLATES);
  assert.deepEqual(ROUTE_TEMPLATES, [
    "/",
    "/health",
    "/ready",
    "/metrics",
    "/orders",
    "/orders/:id",
    "/positions",
    "/quotes",
    "/quotes/:symbol",
    "/risk",
  ]);
  const allow = new Map(knownPaths().map((k) => [k.template, k.allow]));
  assert.equal(allow.get("/orders"), "POST, GET, HEAD, OPTIONS");
  assert.equal(allow.get("/risk"), "GET, HEAD, OPTIONS");
  const orders = knownPaths().find((k) => k.template === "/orders/:id")!;
  assert.ok(orders.pattern.test("/orders/abc") && !orders.pattern.test("/orders/a/b"));
});

Deno.test("route table: the running service serves every entry and indexes it at GET /", async () => {
  const s = await startInProcess();
  try {
    const index = await (await fetch(`${s.base}/`)).json();
    assert.deepEqual(
      index.endpoints,
      ROUTES.map(({ method, path, description }) => ({ method, path, description })),
    );
    for (const k of knownPaths()) {
      const path = k.template.replace(":id", "nope").replace(":symbol", "AAPL");
      const res = await fetch(`${s.base}${path}`, { method: "OPTIONS" });
      assert.equal(res.status, 204, path);
      assert.equal(res.headers.get("allow"), k.allow, path);
      await res.body?.cancel();
    }
    const wrong = await fetch(`${s.base}/risk`, { method: "DELETE" });
    assert.equal(wrong.status, 405);
    assert.deepEqual(await wrong.json(), {
      error: "method not allowed",
      field: "method",
      allow: ["GET", "HEAD", "OPTIONS"],
    });
  } finally {
    await s.shutdown();
  }
});
