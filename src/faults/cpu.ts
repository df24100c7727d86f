/**
 * The `cpu_burn` fault: every `everyMs` the event loop spins for `busyMs`, so every request
 * (and every timer: ticks, VaR) waits behind it, as behind a CPU-bound handler or a long GC.
 *
 * @module
 */
import type { FaultRegistry } from "./registry.ts";

/** Burn CPU as the registry's `cpu_burn` asks; returns the stop function. */
export function burnCpu(faults: FaultRegistry): () => void {
  let timer: ReturnType<typeof setInterval> | undefined;
  const sync = () => {
    clearInterval(timer);
    timer = undefined;
    const fault = faults.get("cpu_burn");
    if (fault === undefined) return;
    timer = setInterval(() => {
      const until = performance.now() + fault.busyMs;
      while (performance.now() < until) { /* spin: this is the fault */ }
    }, fault.everyMs);
    Deno.unrefTimer(timer);
  };
  const unsubscribe = faults.subscribe((change) => {
    if ("cpu_burn" in change.set || change.cleared.includes("cpu_burn")) sync();
  });
  return () => {
    unsubscribe();
    clearInterval(timer);
  };
}
