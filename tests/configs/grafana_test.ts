/**
 * configs/grafana/: the datasource and dashboard provisioning load, the dashboard has one panel
 * per seed query plus RED and business panels, and every PromQL expression in it is valid for
 * the real promtool (2.42).
 */
import assert from "node:assert/strict";
import { stringify } from "yaml";
import { CONFIGS, describeResult, lintRules, readConfigYaml, runCommand } from "./tools.ts";
import { allPanels, dashboardQueries, readDashboard } from "./dashboard.ts";

/** The seed's six queries (Part 6) as the dashboard asks them: verbatim, or corrected. */
const SEED_QUERIES = [
  "rate(http_requests_total[5m])",
  "sum by (symbol) (rate(order_count_total[5m]))",
  // Corrected: the buckets are summed by le before the quantile.
  "histogram_quantile(0.95, sum by (le) (rate(http_request_duration_seconds_bucket[5m])))",
  "increase(order_count_total[1h])",
  "position_value_dollars",
  // Corrected: summed, so that several instances give one ratio.
  "sum(rate(redis_cache_hits_total[5m])) / (sum(rate(redis_cache_hits_total[5m])) + sum(rate(redis_cache_misses_total[5m])))",
];

interface DatasourceProvisioning {
  apiVersion: number;
  datasources: { name: string; uid: string; type: string; url: string; isDefault?: boolean }[];
}

interface DashboardProvisioning {
  apiVersion: number;
  providers: { name: string; type: string; options: { path: string } }[];
}

Deno.test("grafana provisioning: one Prometheus datasource the dashboard refers to", async () => {
  const ds = await readConfigYaml(
    "grafana/provisioning/datasources/prometheus.yml",
  ) as DatasourceProvisioning;
  assert.equal(ds.apiVersion, 1);
  assert.equal(ds.datasources.length, 1);
  const [prom] = ds.datasources;
  assert.equal(prom.type, "prometheus");
  assert.equal(prom.url, "http://prometheus:9090");
  const dashboard = await readDashboard();
  for (const p of allPanels(dashboard).filter((p) => p.type !== "row")) {
    assert.equal(p.datasource?.uid, prom.uid, `panel ${p.title}: datasource`);
    for (const t of p.targets ?? []) assert.equal(t.datasource?.uid, prom.uid);
  }
});

Deno.test("grafana provisioning: a file provider for the dashboards directory", async () => {
  const dp = await readConfigYaml(
    "grafana/provisioning/dashboards/tradewatch.yml",
  ) as DashboardProvisioning;
  assert.equal(dp.apiVersion, 1);
  assert.equal(dp.providers.length, 1);
  assert.equal(dp.providers[0].type, "file");
  assert.match(dp.providers[0].options.path, /^\/.+/);
});

Deno.test("dashboard: one panel per seed query, RED and business panels, no overlaps", async () => {
  const dashboard = await readDashboard();
  assert.equal(dashboard.uid, "tradewatch");
  const panels = allPanels(dashboard);
  const ids = panels.map((p) => p.id);
  assert.equal(new Set(ids).size, ids.length, "panel ids must be unique");
  const norm = (s: string) => s.replace(/\s+/g, " ").trim();
  const queries = dashboardQueries(dashboard);
  for (const seed of SEED_QUERIES) {
    const panelsWith = new Set(
      queries.filter((q) => norm(q.expr).includes(norm(seed))).map((q) => q.panel),
    );
    assert.ok(panelsWith.size >= 1, `no panel asks the seed query ${seed}`);
  }
  const titles = panels.filter((p) => p.type === "row").map((p) => p.title);
  for (const row of ["Seed queries", "RED", "Business"]) {
    assert.ok(titles.some((t) => t.startsWith(row)), `no ${row} row`);
  }
  // RED: rate, errors, duration; business: orders, P&L, positions, VaR.
  for (
    const metric of [
      "http_requests_total",
      "job:http_requests_5xx:ratio_rate5m",
      "order_count_total",
      "http_request_duration_seconds_bucket",
      "trade_pnl_dollars",
      "open_positions_count",
      "risk_var_dollars",
      "strategy_signals_total",
      "order_latency_seconds_bucket",
    ]
  ) {
    assert.ok(queries.some((q) => q.expr.includes(metric)), `no panel uses ${metric}`);
  }
  // No two panels share a cell of the 24-column grid.
  const cells = new Map<string, string>();
  for (const p of panels) {
    const { x, y, w, h } = p.gridPos;
    assert.ok(x >= 0 && w > 0 && x + w <= 24, `panel ${p.title}: outside the grid`);
    for (let i = x; i < x + w; i++) {
      for (let j = y; j < y + h; j++) {
        const key = `${i},${j}`;
        assert.ok(!cells.has(key), `panels ${cells.get(key)} and ${p.title} overlap`);
        cells.set(key, p.title);
      }
    }
  }
});

/** The dashboard's expressions as recording rules, so rule-file tools can check them. */
function dashboardRules(promql: string[]): string {
  return stringify({
    groups: [{
      name: "dashboard",
      rules: promql.map((expr, i) => ({ record: `dashboard:query_${i}`, expr })),
    }],
  });
}

/** Run `fn` with a temp dir holding `files`, then remove it. */
async function withFiles<T>(
  files: Record<string, string>,
  fn: (dir: string) => Promise<T>,
): Promise<T> {
  const dir = await Deno.makeTempDir({ prefix: "tradewatch-dashboard-" });
  try {
    for (const [name, text] of Object.entries(files)) {
      await Deno.writeTextFile(`${dir}/${name}`, text);
    }
    return await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("dashboard: promtool accepts every PromQL expression", async () => {
  const queries = dashboardQueries(await readDashboard());
  assert.ok(queries.length >= 20);
  const rules = dashboardRules(queries.map((q) => q.promql));
  await withFiles({ "dashboard_rules.yml": rules }, async (dir) => {
    const r = await runCommand("promtool", ["check", "rules", `${dir}/dashboard_rules.yml`]);
    assert.equal(r.code, 0, describeResult(r));
    assert.match(r.stdout, new RegExp(`SUCCESS: ${queries.length} rules found`));
  });
});

Deno.test("dashboard: --lint-rules accepts every PromQL expression (Prometheus 2 and 3)", async () => {
  const promql = dashboardQueries(await readDashboard()).map((q) => q.promql);
  // A broken copy proves the expressions really reach the linter's PromQL checks.
  const broken = [...promql];
  broken[3] = broken[3].replace("(", "((");
  await withFiles({
    "dashboard_rules.yml": dashboardRules(promql),
    "broken_rules.yml": dashboardRules(broken),
  }, async (dir) => {
    for (const version of ["2", "3"]) {
      const lint = (file: string) => lintRules(version, `${dir}/${file}`);
      const ok = await lint("dashboard_rules.yml");
      assert.equal(ok.code, 0, describeResult(ok));
      assert.match(ok.stdout, / 0 errors, 0 warnings/, describeResult(ok));
      const bad = await lint("broken_rules.yml");
      assert.equal(bad.code, 1, describeResult(bad));
      assert.match(bad.stdout + bad.stderr, /promql\/syntax/, describeResult(bad));
    }
  });
});

Deno.test("dashboard: recording rules it uses exist in alert_rules.yml", async () => {
  const rulesText = await Deno.readTextFile(`${CONFIGS}alert_rules.yml`);
  const recorded = new Set([...rulesText.matchAll(/record: (\S+)/g)].map((m) => m[1]));
  for (const q of dashboardQueries(await readDashboard())) {
    for (const name of q.promql.match(/\b[a-z_]+:[a-z0-9_:]+/g) ?? []) {
      assert.ok(recorded.has(name), `${q.panel}: unknown recording rule ${name}`);
    }
  }
});
