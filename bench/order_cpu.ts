/**
 * CPU time per POST /orders, in-process, for A/B work on a loaded machine (not part of
 * `deno task bench`, whose rows are wrk over HTTP). Each target is a build (a checkout's root,
 * e.g. a `git worktree add /tmp/base COMMIT`) and serve flags; all targets live in this one
 * process, each with its own database, and take turns in rounds whose order rotates, so that the
 * machine's load drifts hit them alike. Orders go through `app.fetch` (Hono, validation, engine,
 * store with group commit, metrics, access log at info) with 50 in flight; no socket. Reported:
 * per target, the median and minimum of `process.cpuUsage()` µs per order over the rounds, and
 * the median of the per-round ratios to the first target.
 *
 * Usage: deno run -A --v8-flags=--no-maglev bench/order_cpu.ts ROUNDS ORDERS 'label|root|flags' ...
 * (`BODY=1`: JSON bodies instead of query strings). Example, exemplars and native buckets on vs
 * off: `... 60 2000 "off|$PWD|--no-exemplars --native-histograms=false" "on|$PWD|"`.
 *
 * @module
 */
import process from "node:process";

type App = { fetch(r: Request): Response | Promise<Response> };

/** The app of `root` with `flags`; builds before the composition root (47c993f) are wired here. */
async function build(root: string, flags: string[]): Promise<{ app: App; close(): Promise<void> }> {
  const dir = await Deno.makeTempDir({ prefix: "tradewatch-order-cpu-" });
  const args = [
    ...["--db", `${dir}/orders.db`, "--venue-latency", "0", "--log-level", "info"],
    ...["--max-position", "1000000000", "--max-notional", "1000000000", ...flags],
  ];
  const cfg = await import(`${root}/src/config.ts`);
  const log = await import(`${root}/src/server/logger.ts`);
  const composed = await import(`${root}/src/app.ts`).catch(() => null);
  if (composed !== null) {
    const config = cfg.parseConfig(args, () => undefined);
    const c = await composed.composeApp(config, log.createLogger(config.server.logLevel));
    return { app: c.app, close: c.close };
  }
  const svc = await import(`${root}/src/trading/service.ts`);
  const config = cfg.parseConfig(args, svc.defaultTradingConfig(), () => undefined);
  const catalogMod = await import(`${root}/src/metrics/catalog.ts`);
  const recorderMod = await import(`${root}/src/metrics/recorder.ts`);
  const processMod = await import(`${root}/src/metrics/process.ts`);
  const appMod = await import(`${root}/src/server/app.ts`);
  const service = await svc.createTradingService(config.trading);
  const catalog = catalogMod.createCatalog({ symbols: service.symbols });
  const pm = processMod.registerProcessMetrics(catalog.registry);
  const recorder = recorderMod.createRecorder(catalog, service);
  const logger = log.createLogger(config.server.logLevel);
  const app = appMod.createApp({ service, catalog, recorder, config, logger });
  return {
    app,
    close: async () => {
      recorder.close();
      pm.close();
      await service.close();
    },
  };
}

const BODY = Deno.env.get("BODY") === "1";
const SYMBOLS = ["AAPL", "MSFT", "GOOGL", "AMZN", "TSLA"];

function order(i: number): Request {
  const symbol = SYMBOLS[i % SYMBOLS.length];
  const side = i % 2 ? "SELL" : "BUY";
  if (!BODY) {
    const url = `http://127.0.0.1/orders?symbol=${symbol}&side=${side}&quantity=1`;
    return new Request(url, { method: "POST" });
  }
  return new Request("http://127.0.0.1/orders", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: `{"symbol":"${symbol}","side":"${side}","quantity":1}`,
  });
}

/** `n` orders, 50 in flight. */
async function run(app: App, n: number): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: 50 }, async () => {
    while (next < n) {
      const res = await app.fetch(order(next++));
      if (res.status !== 201) throw new Error(`status ${res.status}: ${await res.text()}`);
      await res.arrayBuffer();
    }
  }));
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

if (import.meta.main) {
  const [roundsArg, ordersArg, ...specs] = Deno.args;
  const rounds = Number(roundsArg);
  const orders = Number(ordersArg);
  if (!(rounds > 0 && orders > 0 && specs.length > 0)) {
    console.error("usage: order_cpu.ts ROUNDS ORDERS 'label|root|flags' ...");
    Deno.exit(2);
  }
  const targets = [];
  for (const spec of specs) {
    const [label, root, flags = ""] = spec.split("|");
    const built = await build(root, flags.split(" ").filter((f) => f !== ""));
    targets.push({ label, ...built, cpu: [] as number[] });
  }
  for (const t of targets) await run(t.app, 10_000); // JIT warm-up
  for (let r = 0; r < rounds; r++) {
    for (let k = 0; k < targets.length; k++) {
      const t = targets[(k + r) % targets.length];
      const before = process.cpuUsage();
      await run(t.app, orders);
      const used = process.cpuUsage(before);
      t.cpu.push((used.user + used.system) / orders);
    }
  }
  const ref = targets[0];
  for (const t of targets) {
    const ratio = median(t.cpu.map((x, i) => x / ref.cpu[i]));
    // stderr: the services' access lines go to stdout (redirect it to /dev/null)
    console.error(
      `${t.label.padEnd(16)} CPU µs/order median ${median(t.cpu).toFixed(2)} ` +
        `min ${Math.min(...t.cpu).toFixed(2)}  ratio to ${ref.label}: ${ratio.toFixed(3)}`,
    );
  }
  for (const t of targets) await t.close();
  Deno.exit(0);
}
