/** The lean process collector: standard names, live values, background lag sampler that stops. */
import assert from "node:assert/strict";
import { Registry } from "prom-client";
import { registerProcessMetrics } from "../../src/metrics/process.ts";
import { parseExposition, sumOf } from "../server/helpers.ts";

Deno.test("process metrics have standard names and live values; the sampler sees a blocked loop", async () => {
  const registry = new Registry();
  const pm = registerProcessMetrics(registry, { lagSampleIntervalMs: 20 });
  try {
    await new Promise((r) => setTimeout(r, 30));
    const until = performance.now() + 120; // block the event loop
    while (performance.now() < until) { /* busy */ }
    await new Promise((r) => setTimeout(r, 60));
    const e = parseExposition(await registry.metrics());
    assert.equal(e.types.get("process_cpu_seconds_total"), "counter");
    assert.equal(
      e.help.get("process_cpu_seconds_total"),
      "Total user and system CPU time spent in seconds.",
    );
    assert.equal(e.help.get("process_resident_memory_bytes"), "Resident memory size in bytes.");
    assert.equal(
      e.help.get("process_start_time_seconds"),
      "Start time of the process since unix epoch in seconds.",
    );
    assert.equal(e.help.get("process_open_fds"), "Number of open file descriptors.");
    const cpu = sumOf(e, "process_cpu_seconds_total");
    assert.ok(cpu >= 0.1, `cpu ${cpu}`);
    assert.ok(
      Math.abs(
        cpu - sumOf(e, "process_cpu_user_seconds_total") -
          sumOf(e, "process_cpu_system_seconds_total"),
      ) < 1e-6,
    );
    const start = sumOf(e, "process_start_time_seconds");
    assert.ok(start > Date.now() / 1000 - 3600 && start <= Date.now() / 1000 + 1);
    assert.ok(sumOf(e, "process_resident_memory_bytes") > 1e6);
    assert.ok(sumOf(e, "deno_heap_size_used_bytes") > 0);
    assert.ok(sumOf(e, "process_open_fds") > 0);
    assert.ok(sumOf(e, "deno_eventloop_lag_max_seconds") >= 0.05, "the 120 ms block was seen");
    // A scrape does not move the CPU counter backwards.
    const e2 = parseExposition(await registry.metrics());
    assert.ok(sumOf(e2, "process_cpu_seconds_total") >= cpu);
  } finally {
    pm.close(); // the test sanitizer fails if the sampler's interval leaks
  }
});
