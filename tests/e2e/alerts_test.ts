/**
 * End to end: the market, risk, validation and availability alerts fire against the real
 * service, scraped by the real Prometheus 2.42 with the repo's rules (`for` shortened in a
 * generated copy), and reach Alertmanager 0.25 and their receivers.
 *
 * The service runs with a 30 s median feed delay (MarketDataStale), 1000% volatility and limits
 * that allow 1,000,000-share positions (LargePositionLoss, VaRAboveLimit); `--loadgen
 * --invalid-ratio 1` sends only invalid orders (HighOrderRejectionRate); then the service is
 * stopped (TradingAPIDown). Each part prints how long it took.
 */
import assert from "node:assert/strict";
import { DEFAULT_SYMBOLS } from "../../src/metrics/labels.ts";
import { query, waitUntil } from "./prom_api.ts";
import { Stack } from "./stack.ts";
import { waitFiring, waitInAlertmanager, waitNotified } from "./alert_waits.ts";

const FAST_ALERTS = [
  "MarketDataStale",
  "LargePositionLoss",
  "VaRAboveLimit",
  "HighOrderRejectionRate",
  "TradingAPIDown",
];
const RISKY_SERVICE = [
  "--feed-delay",
  "30000",
  "--volatility",
  "10",
  "--max-position",
  "1000000",
  "--max-order-qty",
  "1000000",
  "--max-notional",
  "1000000000",
];
/** The receiver each severity routes to (configs/alertmanager.yml). */
const RECEIVER: Record<string, string> = { critical: "critical", warning: "default" };

function timed<T>(label: string, fn: () => Promise<T>): Promise<T> {
  const started = performance.now();
  return fn().finally(() => {
    console.log(`e2e timing: ${label}: ${((performance.now() - started) / 1000).toFixed(1)} s`);
  });
}

Deno.test({
  name: "e2e: MarketDataStale, LargePositionLoss, VaRAboveLimit, HighOrderRejectionRate, " +
    "TradingAPIDown fire and are notified",
  async fn() {
    const total = performance.now();
    const stack = await timed(
      "start service, Prometheus, Alertmanager",
      () => Stack.start({ fastAlerts: FAST_ALERTS, serviceArgs: RISKY_SERVICE }),
    );
    try {
      await timed("trading_api target up", () =>
        waitUntil(async () => {
          const up = await query(stack.prometheusUrl, 'up{job="trading_api"} == 1');
          return up.length === 1 ? up : undefined;
        }, { timeoutMs: 30_000, describe: () => `target up\n${stack.diagnostics()}` }));

      // Large long positions in every symbol; at 1000% volatility some lose $10,000 in ticks.
      for (const symbol of DEFAULT_SYMBOLS) {
        const res = await fetch(`${stack.apiUrl}/orders`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ symbol, side: "BUY", quantity: 1_000_000 }),
        });
        const order = await res.json();
        assert.equal(res.status, 201, JSON.stringify(order));
        assert.equal(order.status, "filled");
      }
      const invalid = stack.startLoadgen([
        "--rate",
        "20",
        "--duration",
        "60s",
        "--mix",
        "orders=1",
        "--invalid-ratio",
        "1",
      ]);
      try {
        const fired = await timed("four alerts firing in Prometheus", () =>
          Promise.all([
            waitFiring(stack, "MarketDataStale", { reason: "lagging" }),
            waitFiring(stack, "LargePositionLoss"),
            waitFiring(stack, "VaRAboveLimit", { confidence_level: "0.99" }),
            waitFiring(stack, "HighOrderRejectionRate"),
          ]));
        const [stale, loss, varAlert, rejections] = fired;
        assert.ok(DEFAULT_SYMBOLS.includes(stale.labels.symbol));
        assert.ok(Number(stale.value) > 5, `lag ${stale.value}`);
        assert.ok(DEFAULT_SYMBOLS.includes(loss.labels.symbol));
        assert.ok(Number(loss.value) < -10_000, `P&L ${loss.value}`);
        assert.ok(Number(varAlert.value) > 50_000, `VaR ${varAlert.value}`);
        assert.ok(Number(rejections.value) > 0.25, `rejected share ${rejections.value}`);

        await timed(
          "the four in Alertmanager and notified to their receivers",
          () =>
            Promise.all(fired.map(async (alert) => {
              const name = alert.labels.alertname;
              const inAm = await waitInAlertmanager(stack, name);
              const receiver = RECEIVER[inAm.labels.severity];
              assert.deepEqual(inAm.receivers.map((r) => r.name), [receiver], name);
              assert.match(inAm.annotations.runbook_url, /#alert-[a-z0-9]+$/);
              await waitNotified(stack, name, receiver);
            })),
        );
      } finally {
        await invalid.stop(5_000, "SIGINT");
      }

      await timed(
        "stop the service: TradingAPIDown firing, in Alertmanager, notified",
        async () => {
          assert.equal(await stack.stopService(), 0, "graceful shutdown");
          const down = await waitFiring(stack, "TradingAPIDown");
          assert.equal(down.labels.instance, `127.0.0.1:${stack.apiPort}`);
          const inAm = await waitInAlertmanager(stack, "TradingAPIDown");
          assert.deepEqual(inAm.receivers.map((r) => r.name), ["critical"]);
          await waitNotified(stack, "TradingAPIDown", "critical");
        },
      );
    } finally {
      await stack.close();
      console.log(`e2e timing: total: ${((performance.now() - total) / 1000).toFixed(1)} s`);
    }
  },
});
