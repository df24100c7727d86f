/**
 * `--prometheus-url`: what a live Prometheus says about the series the rules select, for the
 * `online/*` checks. Checks are synchronous and see one rule at a time, so an online check only
 * records what it needs and how to judge it ({@link Deferred}, through `FileContext.defer`); once
 * every file is linted, the run asks Prometheus once per distinct question, with at most
 * {@link CONCURRENCY} requests in flight ({@link askPrometheus}), and judges the deferred items
 * with the answers ({@link judgeDeferred}). A Prometheus that cannot be reached (or refuses the
 * token) is one problem of the run, never a crash; the online checks then stay silent.
 *
 * @module
 */
import type { Problem } from "./model.ts";

/** Requests in flight at most: 1,000 rules never send 1,000 requests at once or in series. */
export const CONCURRENCY = 4;
/** How far back the series queries look. */
export const LOOKBACK_S = 3600;
/** Give up on one request after this long. */
const TIMEOUT_MS = 10_000;

/** The answers of one run. */
export interface OnlineFacts {
  /** The Prometheus asked, for messages. */
  url: string;
  /** The lookback of the series queries, for messages. */
  lookback: string;
  /** Series label sets by metric name (empty: no series in the lookback). */
  series: ReadonlyMap<string, readonly Record<string, string>[]>;
  /** Metric family types from /api/v1/metadata (`counter`, `gauge`, …). */
  types: ReadonlyMap<string, string>;
  /** The scrape interval of each active target's job, in milliseconds (the longest). */
  jobIntervals: ReadonlyMap<string, number>;
}

/** What a deferred check needs asked. */
export interface Needs {
  metrics?: readonly string[];
  metadata?: boolean;
  targets?: boolean;
}

/** One online judgement, recorded while linting and made once Prometheus has answered. */
export interface Deferred {
  path: string;
  needs: Needs;
  judge(facts: OnlineFacts): Problem[];
}

/** Where to ask. */
export interface OnlineTarget {
  url: URL;
  token?: string;
}

/** Why Prometheus could not be asked. */
export class Unreachable extends Error {}

async function getJson(target: OnlineTarget, path: string, params: [string, string][] = []) {
  const url = new URL(path, target.url.href.endsWith("/") ? target.url : `${target.url.href}/`);
  for (const [k, v] of params) url.searchParams.append(k, v);
  const headers: HeadersInit = target.token ? { Authorization: `Bearer ${target.token}` } : {};
  let res: Response;
  let text: string;
  try {
    res = await fetch(url, { headers, signal: AbortSignal.timeout(TIMEOUT_MS) });
    text = await res.text();
  } catch (e) {
    throw new Unreachable(`cannot reach Prometheus at ${target.url.href}: ${(e as Error).message}`);
  }
  if (!res.ok) {
    throw new Unreachable(
      `Prometheus at ${target.url.href} answered ${res.status} to ${url.pathname}` +
        (res.status === 401 || res.status === 403 ? " (check --prometheus-token)" : "") +
        `: ${text.slice(0, 120).trim()}`,
    );
  }
  let body: { status?: string; data?: unknown; error?: string };
  try {
    body = JSON.parse(text);
  } catch {
    throw new Unreachable(
      `${target.url.href} is not a Prometheus API (${url.pathname} is not JSON)`,
    );
  }
  if (body.status !== "success") {
    throw new Unreachable(`Prometheus ${url.pathname}: ${body.error ?? "no success status"}`);
  }
  return body.data;
}

/** Run `tasks` with at most `limit` in flight. */
async function pool<T>(items: readonly T[], limit: number, task: (item: T) => Promise<void>) {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await task(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

/** Ask Prometheus everything the deferred items need, each distinct question once. */
export async function askPrometheus(
  target: OnlineTarget,
  deferred: readonly Deferred[],
  now = Date.now(),
): Promise<OnlineFacts> {
  const metrics = new Set<string>();
  let metadata = false, targets = false;
  for (const d of deferred) {
    for (const m of d.needs.metrics ?? []) metrics.add(m);
    metadata ||= d.needs.metadata === true;
    targets ||= d.needs.targets === true;
  }
  // One cheap request first: an unreachable Prometheus (or a refused token) is one problem.
  await getJson(target, "api/v1/status/buildinfo");
  const series = new Map<string, Record<string, string>[]>();
  const start = String(Math.floor(now / 1000) - LOOKBACK_S), end = String(Math.floor(now / 1000));
  const questions: (() => Promise<void>)[] = [...metrics].sort().map((name) => async () => {
    const data = await getJson(target, "api/v1/series", [
      ["match[]", `{__name__=${JSON.stringify(name)}}`],
      ["start", start],
      ["end", end],
    ]) as Record<string, string>[];
    series.set(name, data);
  });
  const types = new Map<string, string>();
  if (metadata) {
    questions.push(async () => {
      const data = await getJson(target, "api/v1/metadata") as Record<string, { type: string }[]>;
      for (const [name, list] of Object.entries(data)) if (list[0]) types.set(name, list[0].type);
    });
  }
  const jobIntervals = new Map<string, number>();
  if (targets) {
    questions.push(async () => {
      const data = await getJson(target, "api/v1/targets", [["state", "active"]]) as {
        activeTargets: { labels: Record<string, string>; scrapeInterval?: string }[];
      };
      for (const t of data.activeTargets ?? []) {
        const ms = parseInterval(t.scrapeInterval);
        const job = t.labels?.job;
        if (job !== undefined && ms !== undefined) {
          jobIntervals.set(job, Math.max(ms, jobIntervals.get(job) ?? 0));
        }
      }
    });
  }
  await pool(questions, CONCURRENCY, (q) => q());
  return { url: target.url.href, lookback: "1h", series, types, jobIntervals };
}

/** Prometheus' target scrape interval (`15s`, `1m`, `1m30s`). */
function parseInterval(s: string | undefined): number | undefined {
  if (!s) return undefined;
  const m = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?(?:(\d+)ms)?$/.exec(s);
  if (!m || s === "") return undefined;
  return ((Number(m[1] ?? 0) * 60 + Number(m[2] ?? 0)) * 60 + Number(m[3] ?? 0)) * 1000 +
    Number(m[4] ?? 0);
}

/**
 * Ask Prometheus and judge the deferred items; problems by file path. An unreachable Prometheus
 * gives one `online/prometheus` error (at the first file) and no other online problem.
 */
export async function judgeDeferred(
  target: OnlineTarget,
  deferred: readonly Deferred[],
  firstPath: string,
): Promise<Map<string, Problem[]>> {
  const out = new Map<string, Problem[]>();
  const add = (path: string, ps: Problem[]) => {
    if (ps.length) out.set(path, [...(out.get(path) ?? []), ...ps]);
  };
  let facts: OnlineFacts;
  try {
    facts = await askPrometheus(target, deferred);
  } catch (e) {
    if (!(e instanceof Unreachable)) throw e;
    add(firstPath, [{
      severity: "error",
      message: `${e.message}; the online checks were not run`,
      line: 1,
      col: 1,
      text: "",
      check: "online/prometheus",
    }]);
    return out;
  }
  for (const d of deferred) add(d.path, d.judge(facts));
  return out;
}
