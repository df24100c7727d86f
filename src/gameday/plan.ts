/**
 * What a game day does to make one alert fire: the shape of the table in
 * `configs/alert_faults.ts` (one entry per alert of `configs/alert_rules.yml`).
 *
 * @module
 */
import type { FaultName } from "../faults/spec.ts";

/** A `PUT /admin/faults` body; the string `"$symbol"` anywhere stands for the plan's symbol. */
export type FaultsBody = Partial<Record<FaultName, Record<string, unknown>>>;

/** How to make one alert fire and resolve. */
export interface GameDayPlan {
  /** One line: what is broken and how (printed above the timeline). */
  summary: string;
  /** The faults set at the start and cleared at the end (empty: the traffic is the cause). */
  faults: FaultsBody;
  /** `--loadgen` options of the traffic that runs from the start until the alert resolved. */
  traffic?: string[];
  /** `--loadgen` options of the traffic after the clear (default: `traffic` goes on). */
  recoveryTraffic?: string[];
  /**
   * A position opened with ordinary market orders before the faults (`notional` dollars of the
   * plan's symbol, bought) and closed with ordinary orders after the clear.
   */
  position?: { notional: number };
  /** Set and clear the faults every `pulseMs` until firing (each step seen by a tick). */
  pulseMs?: number;
  /** Which symbol of the target's universe `$symbol` is (index, wrapping). */
  symbol?: number;
  /** Labels the firing alert must carry (`$symbol` allowed). */
  labels?: Record<string, string>;
  /**
   * Alerts this one inhibits in Alertmanager that fire along (checked: received and suppressed
   * by this alert, when `--alertmanager-url` is given).
   */
  inhibits?: string[];
  /**
   * `--game-day all` runs plans of one lane one after the other, lanes side by side; `alone`
   * plans run by themselves after the lanes. Plans of lanes that run side by side must not
   * share a fault.
   */
  lane: string;
  /**
   * Why `--game-day all` (and so tests/e2e) leaves this alert out, e.g. it needs a backend the
   * default stack lacks; `--game-day NAME` still runs it. Absent: the alert is run.
   */
  skip?: string;
}

/** The lane of plans that run by themselves. */
export const ALONE = "alone";

/** The game-day table: alert name to plan. */
export type GameDayTable = Readonly<Record<string, GameDayPlan>>;

/**
 * The phases of `--game-day all`: first every lane but `alone` side by side (each lane's plans
 * in table order), then each `alone` plan by itself. Throws when two lanes share a fault.
 */
export function schedule(table: GameDayTable, alerts: readonly string[]): string[][][] {
  const lanes = new Map<string, string[]>();
  const alone: string[][][] = [];
  for (const alert of alerts) {
    const plan = table[alert];
    if (plan.lane === ALONE) {
      alone.push([[alert]]);
      continue;
    }
    const lane = lanes.get(plan.lane) ?? [];
    lane.push(alert);
    lanes.set(plan.lane, lane);
  }
  const owner = new Map<string, string>();
  for (const [lane, members] of lanes) {
    for (const fault of members.flatMap((a) => Object.keys(table[a].faults))) {
      const other = owner.get(fault);
      if (other !== undefined && other !== lane) {
        throw new Error(`Lanes ${other} and ${lane} both use the ${fault} fault`);
      }
      owner.set(fault, lane);
    }
  }
  return [...(lanes.size ? [[...lanes.values()]] : []), ...alone];
}
