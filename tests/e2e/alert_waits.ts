/**
 * Waiting for an alert at each hop of the real stack: firing in Prometheus, received by
 * Alertmanager, notified to a receiver's webhook.
 *
 * @module
 */
import {
  type AlertmanagerAlert,
  alertmanagerAlerts,
  type PrometheusAlert,
  prometheusAlerts,
  waitUntil,
} from "./prom_api.ts";
import type { Notification, Stack } from "./stack.ts";

/** Wait until Prometheus holds `alertname` firing (and matching `labels`, if given). */
export function waitFiring(
  stack: Stack,
  alertname: string,
  labels: Record<string, string> = {},
  timeoutMs = 30_000,
): Promise<PrometheusAlert> {
  const matches = (a: PrometheusAlert) =>
    a.labels.alertname === alertname && a.state === "firing" &&
    Object.entries(labels).every(([k, v]) => a.labels[k] === v);
  return waitUntil(async () => (await prometheusAlerts(stack.prometheusUrl)).find(matches), {
    timeoutMs,
    describe: async () =>
      `${alertname} firing in Prometheus; alerts: ${
        JSON.stringify(await prometheusAlerts(stack.prometheusUrl).catch((e) => String(e)))
      }\n${stack.diagnostics()}`,
  });
}

/** Wait until Alertmanager holds `alertname` in `state` (active by default). */
export function waitInAlertmanager(
  stack: Stack,
  alertname: string,
  state: AlertmanagerAlert["status"]["state"] = "active",
  timeoutMs = 30_000,
): Promise<AlertmanagerAlert> {
  return waitUntil(
    async () =>
      (await alertmanagerAlerts(stack.alertmanagerUrl)).find((a) =>
        a.labels.alertname === alertname && a.status.state === state
      ),
    {
      timeoutMs,
      describe: async () =>
        `${alertname} ${state} in Alertmanager; alerts: ${
          JSON.stringify(await alertmanagerAlerts(stack.alertmanagerUrl).catch((e) => String(e)))
        }`,
    },
  );
}

/** Wait until the webhook of `receiver` was notified of `alertname`. */
export function waitNotified(
  stack: Stack,
  alertname: string,
  receiver: string,
  timeoutMs = 15_000,
): Promise<Notification> {
  return waitUntil(
    () =>
      Promise.resolve(
        stack.notifications.find((n) =>
          n.receiver === receiver && n.alerts.some((a) => a.labels.alertname === alertname)
        ),
      ),
    {
      timeoutMs,
      describe: () =>
        `${alertname} notified to ${receiver}: ${JSON.stringify(stack.notifications)}`,
    },
  );
}
