/**
 * The Grafana dashboard's PromQL queries, read from configs/grafana/dashboards/tradewatch.json,
 * shared by the config tests and the end-to-end tests.
 *
 * @module
 */
import { CONFIGS } from "./tools.ts";

/** A dashboard panel as far as the tests look at it. */
export interface Panel {
  id: number;
  type: string;
  title: string;
  gridPos: { h: number; w: number; x: number; y: number };
  datasource?: { type: string; uid: string };
  targets?: { refId: string; expr: string; datasource?: { type: string; uid: string } }[];
  panels?: Panel[];
}

/** The dashboard JSON model. */
export interface Dashboard {
  uid: string;
  title: string;
  panels: Panel[];
}

/** One query of one panel. */
export interface DashboardQuery {
  panel: string;
  refId: string;
  /** The expression as Grafana stores it. */
  expr: string;
  /** The expression with Grafana's interval variables replaced, as Prometheus receives it. */
  promql: string;
}

/** Path of the provisioned dashboard. */
export const DASHBOARD_FILE = `${CONFIGS}grafana/dashboards/tradewatch.json`;

/** Parse the provisioned dashboard. */
export async function readDashboard(): Promise<Dashboard> {
  return JSON.parse(await Deno.readTextFile(DASHBOARD_FILE)) as Dashboard;
}

/** Grafana's built-in interval variables, replaced the way Grafana would with a 10s scrape. */
const GRAFANA_VARIABLES: Record<string, string> = {
  "$__rate_interval": "1m",
  "$__interval": "10s",
  "$__range": "1h",
};

/** Every panel (rows' nested panels included), in order. */
export function allPanels(dashboard: Dashboard): Panel[] {
  return dashboard.panels.flatMap((p) => [p, ...(p.panels ?? [])]);
}

/** Every query of every panel. */
export function dashboardQueries(dashboard: Dashboard): DashboardQuery[] {
  return allPanels(dashboard).flatMap((p) =>
    (p.targets ?? []).map((t) => {
      let promql = t.expr;
      for (const [name, value] of Object.entries(GRAFANA_VARIABLES)) {
        promql = promql.replaceAll(name, value);
      }
      if (promql.includes("$")) throw new Error(`Unknown Grafana variable in ${t.expr}`);
      return { panel: p.title, refId: t.refId, expr: t.expr, promql };
    })
  );
}
