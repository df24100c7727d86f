/**
 * configs/prometheus.yml against the real promtool (2.42): it loads with its rule file, and
 * keeps the seed's trading_api job, the alerting target and the self-scrape.
 */
import assert from "node:assert/strict";
import { CONFIGS, describeResult, readConfigYaml, runCommand } from "./tools.ts";

interface ScrapeConfig {
  job_name: string;
  scrape_interval?: string;
  metrics_path?: string;
  static_configs: { targets: string[] }[];
}

interface PrometheusConfig {
  rule_files: string[];
  alerting: { alertmanagers: { static_configs: { targets: string[] }[] }[] };
  scrape_configs: ScrapeConfig[];
}

Deno.test("promtool check config accepts configs/prometheus.yml and its rule file", async () => {
  const r = await runCommand("promtool", ["check", "config", `${CONFIGS}prometheus.yml`]);
  assert.equal(r.code, 0, describeResult(r));
  assert.match(r.stdout, /SUCCESS: 1 rule files found/);
  assert.match(r.stdout, /is valid prometheus config file syntax/);
});

Deno.test("prometheus.yml has the seed's trading_api job, alerting and a self-scrape", async () => {
  const cfg = await readConfigYaml("prometheus.yml") as PrometheusConfig;
  assert.deepEqual(cfg.rule_files, ["alert_rules.yml"]);
  const job = cfg.scrape_configs.find((s) => s.job_name === "trading_api");
  assert.ok(job, "no trading_api job");
  assert.equal(job.scrape_interval, "10s");
  assert.equal(job.metrics_path, "/metrics");
  assert.deepEqual(job.static_configs.flatMap((s) => s.targets), ["trading_api:8000"]);
  assert.deepEqual(
    cfg.alerting.alertmanagers.flatMap((a) => a.static_configs.flatMap((s) => s.targets)),
    ["alertmanager:9093"],
  );
  const self = cfg.scrape_configs.find((s) => s.job_name === "prometheus");
  assert.deepEqual(self?.static_configs.flatMap((s) => s.targets), ["localhost:9090"]);
});
