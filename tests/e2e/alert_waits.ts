/**
 * Waiting for an alert's last hop in the real stack: notified to a receiver's webhook (the hops
 * before it, pending and firing in Prometheus and received by Alertmanager, are the game day's
 * own timeline).
 *
 * @module
 */
import { waitUntil } from "./prom_api.ts";
import type { Notification, Stack } from "./stack.ts";

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
