/**
 * What the game day watches: Prometheus' rules API (the alert's rule, its `for`, its pending and
 * firing instances) and Alertmanager's alerts API (received, active or suppressed).
 *
 * @module
 */
/** One instance of an alert as Prometheus' rules API lists it. */
export interface AlertInstance {
  labels: Record<string, string>;
  state: "pending" | "firing";
  /** When the alert became active (pending), per Prometheus. */
  activeAt: string;
  value: string;
}

/** An alerting rule as loaded in Prometheus. */
export interface AlertRule {
  name: string;
  query: string;
  /** `for`, in seconds. */
  duration: number;
  alerts: AlertInstance[];
}

/** The alerting rules Prometheus evaluates, and the timing facts a time limit derives from. */
export interface RuleSet {
  alerts: Map<string, AlertRule>;
  /** The longest range window of any rule (recording rules included), in ms. */
  maxWindowMs: number;
  /** The longest evaluation interval of the rule groups, in ms. */
  intervalMs: number;
}

interface RulesAnswer {
  status: string;
  error?: string;
  data: {
    groups: {
      interval: number;
      rules: {
        type: "alerting" | "recording";
        name: string;
        query: string;
        duration?: number;
        alerts?: AlertInstance[];
      }[];
    }[];
  };
}

const RANGE = /\[((?:\d+(?:ms|[smhdwy]))+)(?::[^\]]*)?\]/g;
const PART = /(\d+)(ms|[smhdwy])/g;
const UNIT_MS: Record<string, number> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
  y: 31_536_000_000,
};

/** The longest range window (`[5m]`, `[1h:1m]`) of a PromQL expression, in ms (0 if none). */
export function longestWindowMs(query: string): number {
  let max = 0;
  for (const m of query.matchAll(RANGE)) {
    let ms = 0;
    for (const p of m[1].matchAll(PART)) ms += Number(p[1]) * UNIT_MS[p[2]];
    max = Math.max(max, ms);
  }
  return max;
}

async function getJson(url: string, timeoutMs = 5000): Promise<unknown> {
  const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  const text = await res.text();
  if (!res.ok) throw new Error(`${url} answered ${res.status}: ${text.slice(0, 200)}`);
  return JSON.parse(text);
}

/** Read the rules Prometheus at `base` evaluates. */
export async function fetchRules(base: string): Promise<RuleSet> {
  const body = await getJson(`${base}/api/v1/rules`) as RulesAnswer;
  if (body.status !== "success") throw new Error(`Prometheus rules API: ${body.error}`);
  const alerts = new Map<string, AlertRule>();
  let maxWindowMs = 0;
  let intervalMs = 0;
  for (const group of body.data.groups) {
    intervalMs = Math.max(intervalMs, group.interval * 1000);
    for (const rule of group.rules) {
      maxWindowMs = Math.max(maxWindowMs, longestWindowMs(rule.query));
      if (rule.type !== "alerting") continue;
      alerts.set(rule.name, {
        name: rule.name,
        query: rule.query,
        duration: rule.duration ?? 0,
        alerts: rule.alerts ?? [],
      });
    }
  }
  return { alerts, maxWindowMs, intervalMs };
}

/** An alert as Alertmanager's v2 API lists it. */
export interface ReceivedAlert {
  labels: Record<string, string>;
  receivers: { name: string }[];
  status: { state: "active" | "suppressed" | "unprocessed"; inhibitedBy: string[] };
  fingerprint: string;
}

/** The alerts named `alertname` that Alertmanager at `base` holds. */
export async function fetchReceived(base: string, alertname: string): Promise<ReceivedAlert[]> {
  const filter = encodeURIComponent(`alertname="${alertname}"`);
  return await getJson(`${base}/api/v2/alerts?filter=${filter}`) as ReceivedAlert[];
}

/** Whether every label of `want` is in `labels` with the same value. */
export function hasLabels(labels: Record<string, string>, want: Record<string, string>): boolean {
  return Object.entries(want).every(([k, v]) => labels[k] === v);
}
