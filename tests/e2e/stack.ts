/**
 * A real monitored stack on loopback ports for the end-to-end tests: the trading API
 * (`deno run main.ts`), Debian's Prometheus 2.42 scraping it every second with the repo's rules,
 * Alertmanager 0.25 with the repo's routing, and a webhook sink that records notifications.
 * Every process runs from a temp dir and is stopped by its PID in `close()`.
 *
 * @module
 */
import { ROOT } from "../configs/tools.ts";
import { startArgs } from "../support/service.ts";
import { ManagedProcess } from "./process.ts";
import { freePort, waitUntil } from "./prom_api.ts";
import {
  renderAlertmanagerConfig,
  renderPrometheusConfig,
  renderRules,
  renderScaledRules,
} from "./render.ts";

/** A notification Alertmanager POSTed to the webhook sink. */
export interface Notification {
  receiver: string;
  alerts: { labels: Record<string, string>; status: string }[];
}

/** The parts of `--loadgen --json` reports the tests read. */
export interface LoadgenReport {
  requests: { sent: number; failed: number; transportErrors: number };
  statuses: Record<string, number>;
  scenarios: Record<string, { requests: number; statuses: Record<string, number> }>;
}

/** What to start. */
export interface StackOptions {
  /**
   * Alerts whose `for` is shortened to 1s in the generated rule file, or `scaled`: every rule
   * under the one documented time rewrite of render.ts (`renderScaledRules`).
   */
  fastAlerts: string[] | "scaled";
  /** Extra flags for the trading API. */
  serviceArgs?: string[];
}

const PROMETHEUS = "prometheus";
const ALERTMANAGER = "prometheus-alertmanager";

/**
 * The trading API on 127.0.0.1:`port` as `deno task start` runs it (its flags and permissions,
 * read from deno.json), logging at warn, with `args` after.
 */
export function startTradingApi(port: number, args: string[]): ManagedProcess {
  return ManagedProcess.start(
    "trading_api",
    Deno.execPath(),
    startArgs(["--host", "127.0.0.1", "--port", String(port), "--log-level", "warn", ...args]),
    { cwd: ROOT },
  );
}

/** A running stack. */
export class Stack {
  readonly dir: string;
  readonly apiPort: number;
  readonly apiUrl: string;
  readonly prometheusUrl: string;
  readonly alertmanagerUrl: string;
  /** Notifications received by the webhook sink, in arrival order. */
  readonly notifications: Notification[] = [];
  service: ManagedProcess | undefined;
  #prometheus: ManagedProcess | undefined;
  #alertmanager: ManagedProcess | undefined;
  #webhook: Deno.HttpServer | undefined;

  private constructor(dir: string, ports: { api: number; prometheus: number; am: number }) {
    this.dir = dir;
    this.apiPort = ports.api;
    this.apiUrl = `http://127.0.0.1:${ports.api}`;
    this.prometheusUrl = `http://127.0.0.1:${ports.prometheus}`;
    this.alertmanagerUrl = `http://127.0.0.1:${ports.am}`;
  }

  /** Start every part; on failure, stop what was started and rethrow. */
  static async start(options: StackOptions): Promise<Stack> {
    const dir = await Deno.makeTempDir({ prefix: "tradewatch-e2e-" });
    const stack = new Stack(dir, { api: freePort(), prometheus: freePort(), am: freePort() });
    try {
      await stack.#startAll(options);
      return stack;
    } catch (e) {
      await stack.close();
      throw e;
    }
  }

  async #startAll(options: StackOptions): Promise<void> {
    this.#webhook = Deno.serve(
      { hostname: "127.0.0.1", port: 0, onListen: () => {} },
      async (req) => {
        const body = await req.json();
        this.notifications.push({
          receiver: new URL(req.url).pathname.slice(1),
          alerts: body.alerts ?? [],
        });
        return new Response(null, { status: 204 });
      },
    );
    const webhookUrl = `http://127.0.0.1:${(this.#webhook.addr as Deno.NetAddr).port}`;
    const addresses = {
      tradingApi: `127.0.0.1:${this.apiPort}`,
      prometheus: new URL(this.prometheusUrl).host,
      alertmanager: new URL(this.alertmanagerUrl).host,
    };
    await Deno.writeTextFile(
      `${this.dir}/alert_rules.yml`,
      options.fastAlerts === "scaled"
        ? await renderScaledRules()
        : await renderRules(options.fastAlerts),
    );
    await Deno.writeTextFile(
      `${this.dir}/prometheus.yml`,
      await renderPrometheusConfig(addresses, `${this.dir}/alert_rules.yml`),
    );
    await Deno.writeTextFile(
      `${this.dir}/alertmanager.yml`,
      await renderAlertmanagerConfig(webhookUrl),
    );

    // All three start concurrently: the ports were chosen up front.
    this.#alertmanager = ManagedProcess.start("alertmanager", ALERTMANAGER, [
      `--config.file=${this.dir}/alertmanager.yml`,
      `--storage.path=${this.dir}/am-data`,
      `--web.listen-address=${addresses.alertmanager}`,
      "--cluster.listen-address=",
      "--log.level=warn",
    ]);
    this.#prometheus = ManagedProcess.start("prometheus", PROMETHEUS, [
      `--config.file=${this.dir}/prometheus.yml`,
      `--storage.tsdb.path=${this.dir}/prom-data`,
      `--web.listen-address=${addresses.prometheus}`,
      "--rules.alert.resend-delay=1s",
      "--log.level=warn",
    ]);
    await Promise.all([
      this.startService(options.serviceArgs ?? []),
      this.#waitReady(this.prometheusUrl, this.#prometheus),
      this.#waitReady(this.alertmanagerUrl, this.#alertmanager),
    ]);
  }

  async #waitReady(base: string, proc: ManagedProcess): Promise<void> {
    await waitUntil(async () => {
      if (proc.exited) throw new Error(`${proc.name} exited`);
      const res = await fetch(`${base}/-/ready`);
      await res.body?.cancel();
      return res.ok ? true : undefined;
    }, {
      timeoutMs: 20_000,
      intervalMs: 100,
      describe: () => `${proc.name} ready\n${proc.tail()}`,
    });
  }

  /** Start the trading API on the stack's port (stopping a running one first). */
  async startService(args: string[]): Promise<void> {
    if (this.service) await this.stopService();
    this.service = startTradingApi(this.apiPort, ["--db", ":memory:", ...args]);
    const line = await this.service.waitFor(/^\{.*"msg":"listening".*\}$/m, 30_000);
    const { port } = JSON.parse(line[0]);
    if (port !== this.apiPort) throw new Error(`Service listens on ${port}, not ${this.apiPort}`);
  }

  /**
   * Start `tradewatch --loadgen` against the stack's trading API (timer scheduler: the spin
   * scheduler would take a core from the processes under test).
   */
  startLoadgen(args: string[]): ManagedProcess {
    return ManagedProcess.start(
      "loadgen",
      Deno.execPath(),
      startArgs([
        "--loadgen",
        "--target",
        this.apiUrl,
        "--scheduler",
        "timer",
        "--no-progress",
        ...args,
      ]),
      { cwd: ROOT },
    );
  }

  /**
   * Start `tradewatch --loadgen --game-day ...` against the stack (its service, Prometheus and
   * Alertmanager), as a user runs it.
   */
  startGameDay(args: string[], env: Record<string, string> = {}): ManagedProcess {
    return ManagedProcess.start(
      "gameday",
      Deno.execPath(),
      startArgs([
        "--loadgen",
        "--target",
        this.apiUrl,
        "--prometheus-url",
        this.prometheusUrl,
        "--alertmanager-url",
        this.alertmanagerUrl,
        ...args,
      ]),
      { cwd: ROOT, env },
    );
  }

  /** Run `tradewatch --loadgen ... --json -` to completion; resolves with its JSON report. */
  async runLoadgen(args: string[]): Promise<LoadgenReport> {
    const proc = this.startLoadgen([...args, "--json", "-"]);
    const status = await proc.wait();
    if (status.code !== 0) throw new Error(`loadgen exited ${status.code}:\n${proc.tail()}`);
    return JSON.parse(proc.stdout) as LoadgenReport;
  }

  /** Stop the trading API gracefully; resolves with its exit code. */
  async stopService(): Promise<number> {
    const service = this.service;
    this.service = undefined;
    return service ? (await service.stop()).code : 0;
  }

  /** The last output lines of every process, for failure messages. */
  diagnostics(): string {
    return [this.service, this.#prometheus, this.#alertmanager]
      .filter((p): p is ManagedProcess => p !== undefined)
      .map((p) => p.tail(15))
      .join("\n");
  }

  /** Stop every process by PID, the webhook sink, and remove the temp dir. */
  async close(): Promise<void> {
    await Promise.allSettled([
      this.stopService(),
      this.#prometheus?.stop(),
      this.#alertmanager?.stop(),
      this.#webhook?.shutdown(),
    ]);
    await Deno.remove(this.dir, { recursive: true }).catch(() => {});
  }
}
