/**
 * Test configurations GENERATED from the repository's real configs (never hand-copied): the
 * same jobs, rules, routes and inhibitions, with loopback addresses, 1 s intervals, shorter
 * `for` on the alerts under test and a webhook on every Alertmanager receiver.
 *
 * @module
 */
import { parse, stringify } from "yaml";
import { CONFIGS } from "../configs/tools.ts";
import type { RuleFile } from "../configs/rules.ts";

/** Addresses of the processes of one end-to-end stack. */
export interface StackAddresses {
  /** host:port of the trading API. */
  tradingApi: string;
  /** host:port of Prometheus. */
  prometheus: string;
  /** host:port of Alertmanager. */
  alertmanager: string;
}

interface ScrapeConfig {
  job_name: string;
  scrape_interval?: string;
  static_configs: { targets: string[] }[];
  [key: string]: unknown;
}

interface PrometheusConfig {
  global: Record<string, unknown>;
  rule_files: string[];
  alerting: { alertmanagers: { static_configs: { targets: string[] }[] }[] };
  scrape_configs: ScrapeConfig[];
}

/** Replace one `static_configs` target everywhere it appears; throws if it does not. */
function retarget(configs: { targets: string[] }[], from: string, to: string): void {
  let found = false;
  for (const sc of configs) {
    sc.targets = sc.targets.map((t) => {
      if (t !== from) return t;
      found = true;
      return to;
    });
  }
  if (!found) throw new Error(`Target ${from} not found in configs/prometheus.yml`);
}

/**
 * configs/prometheus.yml with every interval at `interval`, the compose service addresses
 * replaced by `addresses`, and `rule_files` pointing at `rulesPath`.
 */
export async function renderPrometheusConfig(
  addresses: StackAddresses,
  rulesPath: string,
  interval = "1s",
): Promise<string> {
  const cfg = parse(await Deno.readTextFile(`${CONFIGS}prometheus.yml`)) as PrometheusConfig;
  cfg.global.scrape_interval = interval;
  cfg.global.evaluation_interval = interval;
  if (cfg.rule_files.length !== 1) throw new Error("Expected exactly one rule file");
  cfg.rule_files = [rulesPath];
  retarget(
    cfg.alerting.alertmanagers.flatMap((a) => a.static_configs),
    "alertmanager:9093",
    addresses.alertmanager,
  );
  const jobs = new Map(cfg.scrape_configs.map((s) => [s.job_name, s]));
  const api = jobs.get("trading_api");
  const self = jobs.get("prometheus");
  if (!api || !self) throw new Error("Expected the trading_api and prometheus jobs");
  retarget(api.static_configs, "trading_api:8000", addresses.tradingApi);
  retarget(self.static_configs, "localhost:9090", addresses.prometheus);
  for (const job of cfg.scrape_configs) {
    if (job.scrape_interval) job.scrape_interval = interval;
  }
  return stringify(cfg);
}

/** configs/alert_rules.yml with `for` rewritten to `forDuration` on the alerts in `alerts`. */
export async function renderRules(alerts: string[], forDuration = "1s"): Promise<string> {
  const file = parse(await Deno.readTextFile(`${CONFIGS}alert_rules.yml`)) as RuleFile;
  const rewritten = new Set<string>();
  for (const rule of file.groups.flatMap((g) => g.rules)) {
    if (rule.alert && alerts.includes(rule.alert)) {
      if (!rule.for) throw new Error(`Alert ${rule.alert} has no for`);
      rule.for = forDuration;
      rewritten.add(rule.alert);
    }
  }
  const missing = alerts.filter((a) => !rewritten.has(a));
  if (missing.length) throw new Error(`No such alerts in alert_rules.yml: ${missing.join(", ")}`);
  return stringify(file);
}

/**
 * The one rewrite that makes the real rules fast enough for a test: every duration of
 * configs/alert_rules.yml, each alert's `for:` and every PromQL range window (`[5m]`), is divided
 * by TIME_SCALE, with `for:` at least 1s and windows at least MIN_WINDOW_SECONDS (five samples
 * at the test's 1 s scrape interval, so that rate() and changes() still see a series move).
 * `for: 5m` becomes 5s, `for: 10m` 10s, `[5m]` 5s, `[1m]` 5s. Expressions, thresholds, labels
 * and every other field stay as they are.
 */
export const TIME_SCALE = 60;
/** The shortest range window after the rewrite, in seconds. */
export const MIN_WINDOW_SECONDS = 5;

const DURATION_UNITS: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86400 };

function seconds(text: string): number {
  let total = 0;
  const rest = text.replace(/(\d+)(ms|[smhd])/g, (_, n, unit) => {
    total += Number(n) * DURATION_UNITS[unit];
    return "";
  });
  if (rest !== "" || text === "") throw new Error(`Cannot scale the duration ${text}`);
  return total;
}

/** A duration divided by TIME_SCALE, at least `min` seconds, in whole seconds. */
function scaled(text: string, min: number): string {
  return `${Math.max(min, Math.ceil(seconds(text) / TIME_SCALE))}s`;
}

/** configs/alert_rules.yml with the {@link TIME_SCALE} rewrite applied to every rule. */
export async function renderScaledRules(): Promise<string> {
  const file = parse(await Deno.readTextFile(`${CONFIGS}alert_rules.yml`)) as RuleFile;
  for (const rule of file.groups.flatMap((g) => g.rules)) {
    if (/\boffset\b|\[[^\]]*:[^\]]*\]/.test(rule.expr)) {
      throw new Error(`${rule.alert ?? rule.record}: offsets and subqueries are not rewritten`);
    }
    rule.expr = rule.expr.replace(
      /\[([0-9a-z]+)\]/g,
      (_, d) => `[${scaled(d, MIN_WINDOW_SECONDS)}]`,
    );
    if (rule.for) rule.for = scaled(rule.for, 1);
  }
  return stringify(file);
}

interface Route {
  receiver?: string;
  group_wait?: string;
  group_interval?: string;
  repeat_interval?: string;
  routes?: Route[];
  [key: string]: unknown;
}

interface AlertmanagerConfig {
  route: Route;
  receivers: { name: string; webhook_configs?: unknown[]; [key: string]: unknown }[];
  [key: string]: unknown;
}

/**
 * configs/alertmanager.yml with a webhook to `webhookUrl` added to every receiver and the
 * group timers shortened to `wait`, so a notification follows an alert within seconds.
 */
export async function renderAlertmanagerConfig(webhookUrl: string, wait = "1s"): Promise<string> {
  const cfg = parse(await Deno.readTextFile(`${CONFIGS}alertmanager.yml`)) as AlertmanagerConfig;
  const shorten = (route: Route) => {
    if (route.group_wait) route.group_wait = wait;
    if (route.group_interval) route.group_interval = wait;
    for (const child of route.routes ?? []) shorten(child);
  };
  shorten(cfg.route);
  for (const receiver of cfg.receivers) {
    receiver.webhook_configs = [
      ...(receiver.webhook_configs ?? []),
      { url: `${webhookUrl}/${receiver.name}`, send_resolved: false },
    ];
  }
  return stringify(cfg);
}
