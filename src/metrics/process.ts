/**
 * A lean process collector for Deno, registered on the catalog's registry in place of
 * prom-client's `collectDefaultMetrics` (Node-specific, and about 40x slower to scrape on Deno).
 * Names and HELP texts follow the Prometheus client libraries' process collector; Deno-runtime
 * figures use a `deno_` prefix. Everything is read at scrape time from cheap sources, except the
 * event-loop lag, which a background timer samples (a scrape must not measure itself). The
 * `/proc/self` figures come from `procfs.ts` (Deno refuses `/proc` to everything but `--allow-all`).
 *
 * @module
 */
import process from "node:process";
import type * as prom from "prom-client";
// prom-client's modules, not its index (which also loads Pushgateway, the default metrics and
// the cluster aggregator): the same classes, less to load for `--lint-rules`.
import CounterClass from "prom-client/lib/counter.js";
import GaugeClass from "prom-client/lib/gauge.js";
import { openProcReader } from "./procfs.ts";

const Counter: typeof prom.Counter = CounterClass;
type Counter<T extends string = string> = prom.Counter<T>;
const Gauge: typeof prom.Gauge = GaugeClass;
type Gauge<T extends string = string> = prom.Gauge<T>;
type Registry = prom.Registry;

/** Options of {@link registerProcessMetrics}. */
export interface ProcessMetricsOptions {
  /** How often the event-loop lag is sampled, in ms (default 500). */
  lagSampleIntervalMs?: number;
}

/** Handle of a registered process collector. */
export interface ProcessMetrics {
  /** Stop the background sampler (the metrics stay registered). */
  close(): void;
}

/**
 * Register the process metrics on `registry` and start the event-loop lag sampler:
 * `process_cpu_user_seconds_total`, `process_cpu_system_seconds_total`,
 * `process_cpu_seconds_total`, `process_start_time_seconds`, `process_resident_memory_bytes`,
 * `process_virtual_memory_bytes`, `process_heap_bytes`, `process_open_fds`, `process_max_fds`,
 * `deno_heap_size_used_bytes`, `deno_heap_size_total_bytes`, `deno_external_memory_bytes`,
 * `deno_eventloop_lag_seconds`, `deno_eventloop_lag_max_seconds`.
 */
export function registerProcessMetrics(
  registry: Registry,
  options: ProcessMetricsOptions = {},
): ProcessMetrics {
  const registers = [registry];
  const proc = openProcReader();
  const startTime = performance.timeOrigin / 1000;
  let cpu = { user: 0, system: 0 };
  const readCpu = () => {
    const u = process.cpuUsage();
    cpu = { user: u.user / 1e6, system: u.system / 1e6 };
  };
  const setCounter = (c: Counter, v: number) => {
    c.reset();
    c.inc(v);
  };
  /** A gauge set at each scrape to what `read` gives (left as it was when that is null). */
  const readGauge = (name: string, help: string, read: () => number | null) =>
    new Gauge({
      name,
      help,
      registers,
      collect(this: Gauge) {
        const v = read();
        if (v !== null) this.set(v);
      },
    });

  new Counter({
    name: "process_cpu_user_seconds_total",
    help: "Total user CPU time spent in seconds.",
    registers,
    collect(this: Counter) {
      readCpu(); // the first CPU collector of a scrape reads for all three
      setCounter(this, cpu.user);
    },
  });
  new Counter({
    name: "process_cpu_system_seconds_total",
    help: "Total system CPU time spent in seconds.",
    registers,
    collect(this: Counter) {
      setCounter(this, cpu.system);
    },
  });
  new Counter({
    name: "process_cpu_seconds_total",
    help: "Total user and system CPU time spent in seconds.",
    registers,
    collect(this: Counter) {
      setCounter(this, cpu.user + cpu.system);
    },
  });
  new Gauge({
    name: "process_start_time_seconds",
    help: "Start time of the process since unix epoch in seconds.",
    registers,
  }).set(Math.round(startTime));

  let memory = Deno.memoryUsage();
  new Gauge({
    name: "process_resident_memory_bytes",
    help: "Resident memory size in bytes.",
    registers,
    collect(this: Gauge) {
      memory = Deno.memoryUsage(); // read once per scrape for the memory gauges below
      this.set(memory.rss);
    },
  });
  readGauge(
    "process_virtual_memory_bytes",
    "Virtual memory size in bytes.",
    () => proc.virtualMemoryBytes(),
  );
  readGauge(
    "process_heap_bytes",
    "Process heap size in bytes.",
    () => memory.heapTotal + memory.external,
  );
  readGauge("process_open_fds", "Number of open file descriptors.", () => proc.openFds());
  const max = proc.maxFds();
  if (max !== null) {
    new Gauge({
      name: "process_max_fds",
      help: "Maximum number of open file descriptors.",
      registers,
    }).set(max);
  }
  readGauge(
    "deno_heap_size_used_bytes",
    "V8 heap size used by Deno in bytes.",
    () => memory.heapUsed,
  );
  readGauge(
    "deno_heap_size_total_bytes",
    "V8 heap size allocated by Deno in bytes.",
    () => memory.heapTotal,
  );
  readGauge(
    "deno_external_memory_bytes",
    "Memory of C++ objects bound to JavaScript objects managed by V8, in bytes.",
    () => memory.external,
  );

  // Event-loop lag: how late a timer fires. Sampled in the background; the max gauge reports the
  // worst lag since the previous scrape.
  const interval = options.lagSampleIntervalMs ?? 500;
  let lastLag = 0;
  let maxLag = 0;
  readGauge(
    "deno_eventloop_lag_seconds",
    "Lag of the event loop in seconds, as last sampled by a background timer.",
    () => lastLag,
  );
  new Gauge({
    name: "deno_eventloop_lag_max_seconds",
    help: "Largest event-loop lag sampled since the previous scrape, in seconds.",
    registers,
    collect(this: Gauge) {
      this.set(maxLag);
      maxLag = lastLag;
    },
  });
  let expected = performance.now() + interval;
  const timer = setInterval(() => {
    const now = performance.now();
    lastLag = Math.max(0, now - expected) / 1000;
    if (lastLag > maxLag) maxLag = lastLag;
    expected = now + interval;
  }, interval);
  Deno.unrefTimer(timer);
  return {
    close() {
      clearInterval(timer);
      proc.close();
    },
  };
}
