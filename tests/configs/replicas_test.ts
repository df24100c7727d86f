/**
 * The scaled-out stack's configuration: compose.replicas.yaml, configs/prometheus.replicas.yml
 * and configs/alert_rules.replicas.yml (+ its unit tests) against the real tools.
 */
import assert from "node:assert/strict";
import { parse } from "yaml";
import { CONFIGS, ROOT, runCommand } from "./tools.ts";
import { parseConfig } from "../../src/config.ts";

Deno.test("promtool check config accepts configs/prometheus.replicas.yml", async () => {
  const r = await runCommand("promtool", ["check", "config", `${CONFIGS}prometheus.replicas.yml`]);
  assert.equal(r.code, 0, r.stdout + r.stderr);
});

Deno.test("promtool test rules passes configs/alert_rules.replicas.test.yml", async () => {
  const r = await runCommand("promtool", ["test", "rules", "alert_rules.replicas.test.yml"], {
    cwd: CONFIGS,
  });
  assert.equal(r.code, 0, r.stdout + r.stderr);
});

Deno.test("prometheus.replicas.yml discovers every trading_api replica by DNS", async () => {
  const config = parse(await Deno.readTextFile(`${CONFIGS}prometheus.replicas.yml`));
  const job = config.scrape_configs.find((j: { job_name: string }) => j.job_name === "trading_api");
  assert.deepEqual(job.dns_sd_configs, [{
    names: ["trading_api"],
    type: "A",
    port: 8000,
    refresh_interval: "10s",
  }]);
  assert.deepEqual(config.rule_files, ["alert_rules.yml", "alert_rules.replicas.yml"]);
});

Deno.test("--lint-rules finds no error or warning in alert_rules.replicas.yml", async () => {
  const r = await runCommand(Deno.execPath(), [
    "run",
    "--allow-read",
    "--allow-env",
    `${ROOT}main.ts`,
    "--lint-rules",
    `${CONFIGS}alert_rules.replicas.yml`,
  ]);
  assert.match(r.stdout + r.stderr, /0 errors, 0 warnings/);
});

Deno.test("compose.replicas.yaml is a valid compose file that scales trading_api", async () => {
  const r = await runCommand("docker-compose", ["-f", `${ROOT}compose.replicas.yaml`, "config"]);
  if (r.code === 127 || /not found/.test(r.stderr)) {
    console.warn("SKIP: no docker-compose");
    return;
  }
  assert.equal(r.code, 0, r.stderr);
  const config = parse(r.stdout);
  const api = config.services.trading_api;
  assert.match(api.environment.TRADEWATCH_DB, /^postgres:\/\/tradewatch:.*@postgres:5432\//);
  assert.equal(api.environment.REDIS_URL, "redis://redis:6379");
  // No fixed host port: --scale gives every replica a port of its own.
  const ports = (api.ports as unknown[]).map((p) =>
    typeof p === "string" ? p : String((p as { published: string }).published)
  );
  assert.ok(ports.some((p) => /^127\.0\.0\.1::?8000/.test(p)), JSON.stringify(ports));
  // The replicas' environment passes the serve mode's own parser: PostgreSQL and Redis.
  const env = api.environment as Record<string, string>;
  // The image's own default (TRADEWATCH_DB=/data/tradewatch.db) is overridden.
  const image = { TRADEWATCH_DB: "/data/tradewatch.db", HOST: "0.0.0.0" };
  const parsed = parseConfig([], (name) => ({ ...image, ...env } as Record<string, string>)[name]);
  assert.equal(parsed.trading.dbPath, env.TRADEWATCH_DB);
  assert.equal(parsed.trading.cacheUrl, "redis://redis:6379");
  assert.equal(parsed.server.host, "0.0.0.0");
  for (const s of ["postgres", "redis", "postgres_exporter", "redis_exporter", "prometheus"]) {
    assert.ok(config.services[s], s);
  }
});
