/** `src/config.ts`: precedence (flag > environment > default), validation and defaults. */
import assert from "node:assert/strict";
import { UsageError } from "../../src/cli/mod.ts";
import { DEFAULT_DB_PATH, parseConfig, SERVER_DEFAULTS } from "../../src/config.ts";
import { defaultTradingConfig } from "../../src/trading/service.ts";

const parse = (args: string[], env: Record<string, string> = {}) =>
  parseConfig(args, (k) => env[k]);

Deno.test("defaults: port 8000, host 127.0.0.1, ./data/tradewatch.db, metrics on", () => {
  const c = parse([]);
  assert.equal(c.server.port, 8000);
  assert.equal(c.server.host, "127.0.0.1", "local runs stay on loopback");
  assert.deepEqual(c.trading, defaultTradingConfig(), "one set of defaults");
  assert.equal(c.trading.dbPath, DEFAULT_DB_PATH);
  assert.equal(c.server.metrics, true);
  assert.equal(c.server.logLevel, "info");
  assert.deepEqual(c.server, { ...SERVER_DEFAULTS });
  assert.deepEqual(c.trading.symbols, ["AAPL", "GOOGL", "MSFT", "AMZN", "TSLA"]);
});

Deno.test("flags win over environment variables, which win over defaults", () => {
  const env = { PORT: "9000", HOST: "127.0.0.1", TRADEWATCH_DB: ":memory:", LOG_LEVEL: "WARN" };
  const fromEnv = parse([], env);
  assert.equal(fromEnv.server.port, 9000);
  assert.equal(fromEnv.server.host, "127.0.0.1");
  assert.equal(fromEnv.trading.dbPath, ":memory:");
  assert.equal(fromEnv.server.logLevel, "warn");
  const fromFlag = parse(["--port=9100", "--db", "x.db"], env);
  assert.equal(fromFlag.server.port, 9100);
  assert.equal(fromFlag.trading.dbPath, "x.db");
  assert.equal(parse([], { TRADEWATCH_NO_METRICS: "1" }).server.metrics, false);
  assert.equal(parse(["--no-metrics"]).server.metrics, false);
  assert.equal(parse([], { PORT: "" }).server.port, 8000, "empty variables are unset");
});

Deno.test("values are parsed and validated", () => {
  const c = parse([
    "--symbols",
    " aapl, brk.b ,NVDA",
    "--venue-latency",
    "0",
    "--fail-rate",
    "0.25",
    "--max-position",
    "100",
    "--max-notional",
    "5e5",
    "--max-order-qty",
    "50",
    "--tick-interval",
    "100",
    "--seed",
    "7",
    "--body-limit",
    "1024",
    "--metrics-token",
    "abcdefgh123",
  ]);
  assert.deepEqual(c.trading.symbols, ["AAPL", "BRK.B", "NVDA"]);
  assert.equal(c.trading.venueLatencyMs, 0);
  assert.equal(c.trading.failRate, 0.25);
  assert.equal(c.trading.maxPosition, 100);
  assert.equal(c.trading.maxNotional, 500000);
  assert.equal(c.trading.maxOrderQuantity, 50);
  assert.equal(c.trading.tickIntervalMs, 100);
  assert.equal(c.trading.seed, 7);
  assert.equal(c.server.bodyLimitBytes, 1024);
  assert.equal(c.server.metricsToken, "abcdefgh123");
  for (
    const bad of [
      ["--port", "-1"],
      ["--port", "1.5"],
      ["--port", ""],
      ["--fail-rate", "-0.1"],
      ["--max-position", "0"],
      ["--tick-interval", "0"],
      ["--symbols", ","],
      ["--symbols", "INVALID"],
      ["--symbols", "AA PL"],
      ["--metrics-token", "short"],
      ["--host", "a b"],
      ["--seed", "NaN"],
    ]
  ) {
    assert.throws(() => parse(bad), UsageError, bad.join(" "));
  }
});

Deno.test("exposition flags: --no-exemplars, --native-histograms=false, the bucket factor", () => {
  const d = parse([]);
  assert.equal(d.server.exemplars, true);
  assert.equal(d.server.nativeHistograms, true);
  assert.equal(d.server.nativeHistogramBucketFactor, 1.1);
  const off = parse(["--no-exemplars", "--native-histograms=false"]);
  assert.equal(off.server.exemplars, false);
  assert.equal(off.server.nativeHistograms, false);
  assert.equal(parse(["--native-histograms", "true"]).server.nativeHistograms, true);
  assert.equal(parse([], { TRADEWATCH_NATIVE_HISTOGRAMS: "off" }).server.nativeHistograms, false);
  assert.equal(parse([], { TRADEWATCH_NO_EXEMPLARS: "1" }).server.exemplars, false);
  assert.equal(
    parse(["--native-histogram-bucket-factor", "2"]).server.nativeHistogramBucketFactor,
    2,
  );
  for (const bad of ["1", "0.5", "x", "1e9"]) {
    assert.throws(
      () => parse(["--native-histogram-bucket-factor", bad]),
      (e) => e instanceof UsageError && /--native-histogram-bucket-factor/.test(e.message),
    );
  }
  assert.throws(() => parse(["--native-histograms=maybe"]), UsageError);
  assert.throws(() => parse(["--no-exemplars=1"]), /takes no value/);
});

Deno.test("duration flags take 250ms, 5s, 1m, 1m30s; a plain number stays milliseconds", () => {
  const c = parse([
    "--tick-interval",
    "100",
    "--venue-latency",
    "1.5ms",
    "--stale-after",
    "5s",
    "--shutdown-timeout",
    "1m30s",
    "--var-interval",
    "2s",
    "--cache-ttl",
    "0",
    "--feed-delay",
    "250us",
  ]);
  assert.equal(c.trading.tickIntervalMs, 100);
  assert.equal(c.trading.venueLatencyMs, 1.5);
  assert.equal(c.trading.staleAfterMs, 5000);
  assert.equal(c.server.shutdownTimeoutMs, 90_000);
  assert.equal(c.trading.varIntervalMs, 2000);
  assert.equal(c.trading.cacheTtlMs, 0);
  assert.equal(c.trading.feedDelayMs, 0.25);
  assert.equal(parse([], { TRADEWATCH_STALE_AFTER: "1m" }).trading.staleAfterMs, 60_000);
  for (const bad of ["5 s", "-1s", "1e3", "soon", "10d"]) {
    assert.throws(
      () => parse([`--stale-after=${bad}`]),
      /Invalid --stale-after .*: expected a duration/,
    );
  }
  assert.throws(
    () => parse(["--tick-interval", "0.5"]),
    /a duration such as 250ms, 5s or 1m \(an integer from 1 to 3600000 ms\)/,
  );
});

Deno.test("one schema: the CLI and the trading service agree on symbols and varWindow", async () => {
  const { validateTradingConfig } = await import("../../src/trading/config.ts");
  const ok = parse(["--symbols", "BRK-B,brk.b,X_1,0DTE,ABCDEFGHIJKLMNOP", "--var-window", "2"]);
  assert.deepEqual(ok.trading.symbols, ["BRK-B", "BRK.B", "X_1", "0DTE", "ABCDEFGHIJKLMNOP"]);
  validateTradingConfig(ok.trading);
  for (const bad of ["ABCDEFGHIJKLMNOPQ", "-A", ".A", "A B"]) {
    assert.throws(() => parse(["--symbols", bad]), UsageError, bad);
    assert.throws(
      () => validateTradingConfig({ ...ok.trading, symbols: [bad] }),
      /Invalid symbols/,
      bad,
    );
  }
  assert.throws(() => parse(["--var-window", "1"]), /an integer from 2 to 1000000/);
  assert.throws(() => validateTradingConfig({ ...ok.trading, varWindow: 1 }), /Invalid varWindow/);
});

Deno.test("values that are property names are values, never flags or modes", () => {
  const c = parse([
    "--symbols",
    "constructor",
    "--metrics-token",
    "hasOwnProperty",
    "--db",
    "__proto__",
  ]);
  assert.deepEqual(c.trading.symbols, ["CONSTRUCTOR"]);
  assert.equal(c.server.metricsToken, "hasOwnProperty");
  assert.equal(c.trading.dbPath, "__proto__");
  assert.throws(() => parse(["--constructor"]), /Unknown flag --constructor/);
  assert.throws(() => parse(["--__proto__", "x"]), /Unknown flag --__proto__/);
});

Deno.test("scale-out: --db postgres://, DATABASE_URL, --cache redis:// and REDIS_URL", () => {
  const pg = "postgres://app:secret@db:5432/tradewatch";
  assert.equal(parse(["--db", pg]).trading.dbPath, pg);
  assert.equal(parse([], { DATABASE_URL: pg }).trading.dbPath, pg);
  assert.equal(parse([], { DATABASE_URL: pg, TRADEWATCH_DB: "x.db" }).trading.dbPath, "x.db");
  assert.equal(parse([]).trading.cacheUrl, null);
  assert.equal(parse(["--cache", "redis://cache:6379"]).trading.cacheUrl, "redis://cache:6379");
  assert.equal(parse([], { REDIS_URL: "redis://r:1" }).trading.cacheUrl, "redis://r:1");
  assert.throws(() => parse(["--cache", "memcached://x"]), (e: unknown) => {
    assert.ok(e instanceof UsageError);
    assert.match(e.message, /--cache .*redis:\/\/ URL/);
    return true;
  });
  assert.throws(() => parse(["--db", "postgres://"]), /postgres:\/\/user@host:port\/database/);
});
