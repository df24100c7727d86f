/**
 * One game day: set the faults of an alert's plan and drive its traffic, watch Prometheus until
 * the alert is pending and then firing (and Alertmanager until it received it), clear the faults
 * and wait until the alert resolved. Every step is timed from the moment the faults were set;
 * the run passes when every step happened within the time limit. Whatever happens, the faults
 * are cleared, the traffic stops and a position the plan opened is closed.
 *
 * @module
 */
import { parseOptions } from "../loadgen/options.ts";
import { run as runLoad } from "../loadgen/mod.ts";
import type { Report } from "../loadgen/report.ts";
import { formatMs } from "../duration.ts";
import type { FaultsBody, GameDayPlan } from "./plan.ts";
import {
  type AlertInstance,
  fetchReceived,
  fetchRules,
  hasLabels,
  type ReceivedAlert,
  type RuleSet,
} from "./observe.ts";

/** The steps of a timeline, in order. */
export const STEPS = [
  "fault set",
  "pending",
  "firing",
  "notified",
  "inhibits",
  "cleared",
  "resolved",
] as const;

/** One step that happened, `atMs` after the faults were set. */
export interface Step {
  step: typeof STEPS[number];
  atMs: number;
  detail: string;
}

/** The result of one game day. */
export interface Timeline {
  alert: string;
  summary: string;
  steps: Step[];
  /** Every step happened within `limitMs`. */
  ok: boolean;
  /** Why not, when not. */
  error: string | null;
  limitMs: number;
  /** From the faults set to firing in Prometheus. */
  timeToFireMs: number | null;
  /** From the clear to resolved in Prometheus. */
  timeToResolveMs: number | null;
}

/** Where and how to run. */
export interface GameDayContext {
  target: string;
  prometheusUrl: string;
  alertmanagerUrl: string | null;
  adminToken: string | null;
  /** The time limit; null derives it from the rules Prometheus evaluates. */
  timeLimitMs: number | null;
  /** The symbol universe of the target. */
  symbols: readonly string[];
  /** Aborted on Ctrl-C: the game day cleans up and fails. */
  signal: AbortSignal;
  /** How often Prometheus and Alertmanager are asked (default 250 ms). */
  pollMs?: number;
  /** How long the faults stay after the alert fired (and was received), before the clear. */
  holdMs?: number;
}

/**
 * The default time limit of an alert: its `for`, twice the longest range window of the rules
 * (to fill it with the fault, and to empty it after the clear), six evaluation intervals, 30 s
 * for the processes involved, and the hold.
 */
export function derivedLimitMs(
  rules: RuleSet,
  alert: string,
  plan: GameDayPlan,
  holdMs = 0,
): number {
  const forMs = (rules.alerts.get(alert)?.duration ?? 0) * 1000;
  return forMs + 2 * rules.maxWindowMs + 6 * rules.intervalMs + 30_000 + (plan.pulseMs ?? 0) +
    holdMs;
}

/** `value` with every `"$symbol"` string replaced by `symbol`. */
export function substitute<T>(value: T, symbol: string): T {
  return JSON.parse(JSON.stringify(value), (_k, v) => (v === "$symbol" ? symbol : v));
}

class Deadline extends Error {}

/** Run the game day of `alert`. */
export async function runGameDay(
  alert: string,
  plan: GameDayPlan,
  ctx: GameDayContext,
): Promise<Timeline> {
  const symbol = ctx.symbols[(plan.symbol ?? 0) % ctx.symbols.length];
  const faults = substitute(plan.faults, symbol);
  const traffic0 = plan.traffic && substitute(plan.traffic, symbol);
  const recovery = plan.recoveryTraffic && substitute(plan.recoveryTraffic, symbol);
  const labels = { alertname: alert, ...substitute(plan.labels ?? {}, symbol) };
  const poll = ctx.pollMs ?? 250;
  const steps: Step[] = [];
  const timeline: Timeline = {
    alert,
    summary: plan.summary,
    steps,
    ok: false,
    error: null,
    limitMs: 0,
    timeToFireMs: null,
    timeToResolveMs: null,
  };
  const admin = adminClient(ctx);
  let t0 = 0;
  let deadline = Infinity;
  const at = () => performance.now() - t0;
  const record = (step: Step["step"], detail: string, atMs = at()) =>
    steps.push({ step, atMs, detail });
  const wait = async <T>(what: string, probe: () => Promise<T | undefined>): Promise<T> => {
    while (true) {
      if (ctx.signal.aborted) throw new Error("interrupted");
      let value: T | undefined;
      try {
        value = await probe();
      } catch (e) {
        if (e instanceof Deadline) throw e;
        // Prometheus or Alertmanager did not answer this time: ask again.
      }
      if (value !== undefined) return value;
      if (performance.now() > deadline) {
        throw new Deadline(`${what}: not within the time limit (${formatMs(timeline.limitMs)})`);
      }
      await new Promise((r) => setTimeout(r, poll));
    }
  };
  const instances = async (): Promise<AlertInstance[]> =>
    (await fetchRules(ctx.prometheusUrl)).alerts.get(alert)?.alerts ?? [];

  const rules = await fetchRules(ctx.prometheusUrl);
  if (!rules.alerts.has(alert)) {
    timeline.error = `Prometheus at ${ctx.prometheusUrl} has no alerting rule ${alert}`;
    return timeline;
  }
  timeline.limitMs = ctx.timeLimitMs ?? derivedLimitMs(rules, alert, plan, ctx.holdMs);
  if (Object.keys(faults).length && ctx.adminToken === null) {
    timeline.error = "the faults need the admin API: pass --admin-token or TRADEWATCH_ADMIN_TOKEN";
    return timeline;
  }

  const cleanup: (() => Promise<void>)[] = [];
  let traffic: Traffic | null = null;
  let pulse: { stop(): Promise<void> } | null = null;
  try {
    // Before: the alert must be quiet, or its firing would prove nothing.
    deadline = performance.now() + timeline.limitMs;
    await wait(`${alert} quiet before the game day`, async () => {
      const active = (await instances()).filter((a) => hasLabels(a.labels, labels));
      return active.length === 0 ? true : undefined;
    });
    if (plan.position) {
      const opened = await openPosition(ctx.target, symbol, plan.position.notional);
      cleanup.push(() => closePosition(ctx.target, symbol, opened));
    }

    t0 = performance.now();
    deadline = t0 + timeline.limitMs;
    const t0Wall = Date.now();
    if (Object.keys(faults).length) {
      cleanup.push(() => admin.clear(faults));
      await admin.set(faults);
    }
    if (traffic0) traffic = startTraffic(ctx.target, traffic0);
    record(
      "fault set",
      [
        ...Object.entries(faults).map(([k, v]) => `${k}=${JSON.stringify(v)}`),
        traffic0 ? `traffic: ${traffic0.join(" ")}` : "",
      ].filter(Boolean).join("; ") || "(none)",
    );
    if (plan.pulseMs) {
      pulse = startPulses(plan.pulseMs, () => admin.set(faults), () => admin.clear(faults));
    }

    const pending = await wait(
      `${alert} pending`,
      async () => (await instances()).find((a) => hasLabels(a.labels, labels)),
    );
    const activeAt = Date.parse(pending.activeAt) - t0Wall;
    record("pending", `active since ${formatMs(Math.max(0, activeAt))} (Prometheus)`, at());
    const firing = await wait(
      `${alert} firing`,
      async () =>
        (await instances()).find((a) => a.state === "firing" && hasLabels(a.labels, labels)),
    );
    timeline.timeToFireMs = at();
    record("firing", `${describe(firing.labels, labels)}value ${firing.value}`);

    if (ctx.alertmanagerUrl !== null) {
      const am = ctx.alertmanagerUrl;
      const received = await wait(
        `${alert} received by Alertmanager`,
        async () =>
          (await fetchReceived(am, alert)).find((r) =>
            r.status.state === "active" && hasLabels(r.labels, firing.labels)
          ),
      );
      record("notified", `Alertmanager: active, receivers ${receivers(received)}`);
      for (const target of plan.inhibits ?? []) {
        const inhibited = await wait(
          `${target} inhibited by ${alert}`,
          async () =>
            (await fetchReceived(am, target)).find((r) =>
              r.status.state === "suppressed" && r.status.inhibitedBy.length > 0
            ),
        );
        record("inhibits", `${target} suppressed in Alertmanager (${inhibited.labels.job ?? ""})`);
      }
    }

    if (ctx.holdMs) {
      // Held on purpose (--hold): Alertmanager notifies a group only after its group_wait.
      await new Promise((r) => setTimeout(r, ctx.holdMs));
    }
    await pulse?.stop();
    pulse = null;
    const cleared = at();
    await runCleanup(cleanup);
    if (recovery) {
      await traffic?.stop();
      traffic = startTraffic(ctx.target, recovery);
    }
    record("cleared", recovery ? `traffic: ${recovery.join(" ")}` : "");
    await wait(`${alert} resolved`, async () => {
      const still = (await instances()).some((a) => hasLabels(a.labels, firing.labels));
      return still ? undefined : true;
    });
    timeline.timeToResolveMs = at() - cleared;
    record("resolved", "");
    timeline.ok = steps.every((s) => s.atMs <= timeline.limitMs);
    if (!timeline.ok) timeline.error = `a step took longer than ${formatMs(timeline.limitMs)}`;
  } catch (e) {
    timeline.error = e instanceof Error ? e.message : String(e);
  } finally {
    await pulse?.stop();
    await runCleanup(cleanup).catch((e) => {
      timeline.ok = false;
      timeline.error ??= `cleanup failed: ${e instanceof Error ? e.message : e}`;
    });
    await traffic?.stop();
  }
  return timeline;
}

/** Set and clear the faults by turns every `everyMs` (the set is already done) until stopped. */
function startPulses(
  everyMs: number,
  set: () => Promise<void>,
  clear: () => Promise<void>,
): { stop(): Promise<void> } {
  let stopped = false;
  let wake = () => {};
  const loop = (async () => {
    for (let on = true; !stopped; on = !on) {
      await new Promise<void>((r) => {
        const timer = setTimeout(r, everyMs);
        wake = () => {
          clearTimeout(timer);
          r();
        };
      });
      if (stopped) break;
      await (on ? clear() : set()).catch(() => {/* the next turn tries again */});
    }
  })();
  return {
    stop() {
      stopped = true;
      wake();
      return loop;
    },
  };
}

async function runCleanup(cleanup: (() => Promise<void>)[]): Promise<void> {
  const errors: unknown[] = [];
  while (cleanup.length) {
    try {
      await cleanup.pop()!();
    } catch (e) {
      errors.push(e);
    }
  }
  if (errors.length) throw errors[0];
}

function describe(labels: Record<string, string>, want: Record<string, string>): string {
  const shown = Object.keys(want).filter((k) => k !== "alertname").map((k) => `${k}=${labels[k]}`);
  return shown.length ? `${shown.join(" ")}, ` : "";
}

function receivers(r: ReceivedAlert): string {
  return r.receivers.map((x) => x.name).join(", ") || "(none)";
}

/** Setting and clearing faults through the admin API. */
function adminClient(ctx: GameDayContext) {
  const call = async (body: FaultsBody) => {
    const res = await fetch(`${ctx.target.replace(/\/$/, "")}/admin/faults`, {
      method: "PUT",
      headers: { authorization: `Bearer ${ctx.adminToken}`, "content-type": "application/json" },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(5000),
    });
    const text = await res.text();
    if (!res.ok) {
      const why = res.status === 404
        ? "the target has no admin API (start it with --admin-token)"
        : text.slice(0, 300);
      throw new Error(`PUT /admin/faults answered ${res.status}: ${why}`);
    }
  };
  return {
    set: (faults: FaultsBody) => call(faults),
    /** Clear exactly these faults (others, set by other game days, stay). */
    clear: (faults: FaultsBody) =>
      call(Object.fromEntries(Object.keys(faults).map((k) => [k, null]))),
  };
}

/** Background traffic from the loadgen library. */
interface Traffic {
  stop(): Promise<Report | null>;
}

function startTraffic(target: string, args: string[]): Traffic {
  const parsed = parseOptions([
    ...args,
    "--target",
    target,
    "--duration",
    "24h",
    "--scheduler",
    "timer",
    "--no-print",
    "--no-progress",
  ]);
  if (parsed.help) throw new Error("traffic options print help");
  const abort = new AbortController();
  const done = runLoad(parsed.options, { signal: abort.signal, quiet: true }).catch(() => null);
  return {
    stop() {
      abort.abort();
      return done;
    },
  };
}

async function order(
  target: string,
  symbol: string,
  side: "BUY" | "SELL",
  quantity: number,
): Promise<number> {
  // A failing venue (another game day's fault) fails some orders: ordinary retries.
  for (let attempt = 1; attempt <= 20; attempt++) {
    const res = await fetch(`${target.replace(/\/$/, "")}/orders`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ symbol, side, quantity }),
      signal: AbortSignal.timeout(30_000),
    });
    const body = await res.json().catch(() => ({}));
    if (res.status === 201 && body.status === "filled") return body.filledQuantity;
    if (res.status !== 502) {
      throw new Error(
        `${side} ${quantity} ${symbol} answered ${res.status}: ${body.error ?? body.status}`,
      );
    }
  }
  throw new Error(`${side} ${quantity} ${symbol}: the venue failed 20 attempts`);
}

async function openPosition(target: string, symbol: string, notional: number): Promise<number> {
  const res = await fetch(`${target.replace(/\/$/, "")}/quotes/${symbol}`, {
    signal: AbortSignal.timeout(5000),
  });
  const quote = await res.json();
  if (!res.ok) throw new Error(`GET /quotes/${symbol} answered ${res.status}`);
  const quantity = Math.max(1, Math.floor(notional / quote.ask));
  return await order(target, symbol, "BUY", quantity);
}

/**
 * Sell what the plan bought, at a price published after the faults were cleared (a tick after
 * the clear: selling at a shocked price would turn the shock into a realised loss that stays).
 */
async function closePosition(target: string, symbol: string, quantity: number): Promise<void> {
  const clearedAt = Date.now();
  const deadline = performance.now() + 30_000;
  while (performance.now() < deadline) {
    const res = await fetch(`${target.replace(/\/$/, "")}/quotes/${symbol}`, {
      signal: AbortSignal.timeout(5000),
    });
    const quote = await res.json().catch(() => null);
    if (res.ok && quote.receivedTime > clearedAt) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  await order(target, symbol, "SELL", quantity);
}
