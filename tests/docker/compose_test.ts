/**
 * compose.yaml, statically and fast (no engine): `docker-compose config -q` accepts it, and the
 * resolved file agrees with the configs it mounts and the program it runs: every bind mount
 * exists, Prometheus finds its rule file and scrapes the service names and ports that compose
 * defines, Grafana's provisioning points at the mounted dashboards and at the prometheus service,
 * the trading_api environment passes the serve mode's own config parser, and the loadgen command
 * passes the loadgen's own option parser. The container test brings the stack up for real.
 */
import assert from "node:assert/strict";
import { dirname, join, posix } from "node:path";
import { parse as parseYaml } from "yaml";
import { parseConfig } from "../../src/config.ts";
import { parseOptions } from "../../src/loadgen/options.ts";

const ROOT = new URL("../../", import.meta.url).pathname.replace(/\/$/, "");
const COMPOSE = "/usr/bin/docker-compose";

const composeMissing = await Deno.stat(COMPOSE).then(() => false, () => true);
if (composeMissing) {
  console.warn(`SKIPPED compose checks: ${COMPOSE} is missing (apt-get install docker-compose)`);
}

async function dockerCompose(args: string[], env: Record<string, string> = {}) {
  const out = await new Deno.Command(COMPOSE, {
    args: ["--file", `${ROOT}/compose.yaml`, ...args],
    cwd: ROOT,
    clearEnv: true, // the defaults in compose.yaml, not this shell's variables
    env: { PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin", ...env },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

// deno-lint-ignore no-explicit-any
type Any = any;

/** `docker-compose config`: anchors merged, variables substituted, paths absolute. */
async function resolved(env: Record<string, string> = {}): Promise<Any> {
  const r = await dockerCompose(["config"], env);
  assert.equal(r.code, 0, r.stderr);
  return parseYaml(r.stdout);
}

/** Volumes as {source, target, readOnly}; the short syntax is `src:dst[:mode]`. */
function mounts(service: Any): { source: string; target: string; readOnly: boolean }[] {
  return (service.volumes ?? []).map((v: Any) => {
    if (typeof v === "string") {
      const [source, target, mode] = v.split(":");
      return { source, target, readOnly: mode === "ro" };
    }
    return { source: v.source, target: v.target, readOnly: v.read_only === true };
  });
}

/** The host file mounted at `target` in `service` (a bind mount), or undefined. */
function hostPathOf(service: Any, target: string): string | undefined {
  return mounts(service).find((m) => m.target === target && m.source.startsWith("/"))?.source;
}

const readYaml = async (path: string): Promise<Any> => parseYaml(await Deno.readTextFile(path));
const flagValue = (command: string[], flag: string) =>
  command.find((a) => a.startsWith(`${flag}=`))?.slice(flag.length + 1);

Deno.test({
  name: "compose.yaml: docker-compose config -q accepts it",
  ignore: composeMissing,
  async fn() {
    const r = await dockerCompose(["config", "--quiet"]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr.trim(), "", "no warnings (for example an unset variable)");
  },
});

Deno.test({
  name: "compose.yaml: services, pinned images, one app image, read-only config mounts",
  ignore: composeMissing,
  async fn() {
    const c = await resolved();
    assert.deepEqual(Object.keys(c.services).sort(), [
      "alertmanager",
      "grafana",
      "loadgen",
      "prometheus",
      "trading_api",
    ]);
    const api = c.services.trading_api;
    const loadgen = c.services.loadgen;
    assert.equal(api.image, loadgen.image, "loadgen runs the same image as the service");
    for (const svc of [api, loadgen]) {
      assert.deepEqual(svc.cap_drop, ["ALL"]);
      assert.deepEqual(svc.security_opt, ["no-new-privileges:true"]);
    }
    assert.equal(api.build.context, ROOT);
    assert.equal(api.build.target, "final", "the default app image is the distroless one");
    assert.match(c.services.prometheus.image, /^prom\/prometheus:v3\.\d+\.\d+$/);
    assert.match(c.services.alertmanager.image, /^prom\/alertmanager:v\d+\.\d+\.\d+$/);
    assert.match(c.services.grafana.image, /^grafana\/grafana:\d+\.\d+\.\d+$/);

    for (const [name, svc] of Object.entries<Any>(c.services)) {
      for (const m of mounts(svc).filter((m) => m.source.startsWith("/"))) {
        assert.ok(
          m.source.startsWith(`${ROOT}/configs/`),
          `${name}: ${m.source} is under configs/`,
        );
        assert.ok(m.readOnly, `${name}: ${m.source} is mounted read-only`);
        await Deno.stat(m.source).catch(() => assert.fail(`${name}: ${m.source} does not exist`));
      }
    }
    // Published ports bind to loopback unless asked otherwise, and follow the port knobs.
    const published = (svc: Any) =>
      svc.ports.map((p: Any) =>
        typeof p === "string" ? p : `${p.host_ip}:${p.published}:${p.target}`
      );
    assert.match(published(api)[0], /^127\.0\.0\.1:8000:8000/);
    const moved = await resolved({ TRADEWATCH_BIND: "0.0.0.0", TRADEWATCH_API_PORT: "18000" });
    assert.match(published(moved.services.trading_api)[0], /^0\.0\.0\.0:18000:8000/);
  },
});

Deno.test({
  name: "compose.yaml: Prometheus finds its rules, the trading_api:8000 target and alertmanager",
  ignore: composeMissing,
  async fn() {
    const c = await resolved();
    const prom = c.services.prometheus;
    const configFile = flagValue(prom.command, "--config.file");
    assert.ok(configFile, "prometheus is given --config.file");
    const hostConfig = hostPathOf(prom, configFile);
    assert.equal(hostConfig, `${ROOT}/configs/prometheus.yml`);
    const promConfig = await readYaml(hostConfig);

    // rule_files are relative to the config file: each must be mounted there.
    for (const rf of promConfig.rule_files ?? []) {
      const inContainer: string = posix.isAbsolute(rf)
        ? rf
        : posix.join(posix.dirname(configFile), rf);
      const host = hostPathOf(prom, inContainer);
      assert.ok(host, `rule file ${rf} is mounted at ${inContainer}`);
      assert.equal(host, join(dirname(hostConfig), rf), "the same file as next to prometheus.yml");
    }

    const job = promConfig.scrape_configs.find((j: Any) => j.job_name === "trading_api");
    assert.ok(job, "the seed's trading_api job");
    const apiPort = c.services.trading_api.environment?.PORT ?? "8000";
    assert.deepEqual(job.static_configs[0].targets, [`trading_api:${apiPort}`]);
    assert.equal(job.metrics_path ?? "/metrics", "/metrics");
    assert.ok(
      c.services.trading_api.ports.some((p: Any) =>
        new RegExp(`:${apiPort}(/tcp)?$`).test(String(p.target ?? p))
      ),
      `trading_api publishes its port ${apiPort}`,
    );

    const am = promConfig.alerting.alertmanagers[0].static_configs[0].targets[0];
    assert.equal(am, "alertmanager:9093");
    assert.ok("alertmanager" in c.services);
    const amConfig = flagValue(c.services.alertmanager.command, "--config.file");
    assert.equal(
      hostPathOf(c.services.alertmanager, amConfig ?? ""),
      `${ROOT}/configs/alertmanager.yml`,
    );
  },
});

Deno.test({
  name: "compose.yaml: Grafana provisioning points at the mounted dashboards and prometheus:9090",
  ignore: composeMissing,
  async fn() {
    const c = await resolved();
    const g = c.services.grafana;
    const provisioning = hostPathOf(g, "/etc/grafana/provisioning");
    assert.equal(provisioning, `${ROOT}/configs/grafana/provisioning`);
    const providers = [];
    for await (const e of Deno.readDir(`${provisioning}/dashboards`)) {
      if (e.isFile && /\.ya?ml$/.test(e.name)) {
        providers.push(...(await readYaml(`${provisioning}/dashboards/${e.name}`)).providers);
      }
    }
    assert.ok(providers.length > 0, "a dashboard provider is provisioned");
    for (const p of providers) {
      const host = hostPathOf(g, p.options.path);
      assert.ok(host, `the provider's path ${p.options.path} is a mount`);
      const dashboards = [...Deno.readDirSync(host)].filter((e) => e.name.endsWith(".json"));
      assert.ok(dashboards.length > 0, `${host} holds dashboards`);
    }
    const datasources = [];
    for await (const e of Deno.readDir(`${provisioning}/datasources`)) {
      if (e.isFile && /\.ya?ml$/.test(e.name)) {
        datasources.push(...(await readYaml(`${provisioning}/datasources/${e.name}`)).datasources);
      }
    }
    const promDs = datasources.find((d: Any) => d.type === "prometheus");
    assert.equal(promDs?.url, "http://prometheus:9090");
  },
});

Deno.test({
  name: "compose.yaml: trading_api's environment and loadgen's command pass the program's parsers",
  ignore: composeMissing,
  async fn() {
    const c = await resolved();
    const api = c.services.trading_api;
    const env: Record<string, string> = api.environment ?? {};
    const config = parseConfig([], (name) => env[name]);
    assert.equal(config.server.host, "0.0.0.0", "reachable from the other containers");
    assert.equal(config.server.port, 8000);
    const dataVolume = mounts(api).find((m) => !m.source.startsWith("/"));
    assert.ok(dataVolume, "a named volume keeps the database");
    assert.ok(
      config.trading.dbPath.startsWith(dataVolume.target + "/"),
      `the database ${config.trading.dbPath} is on the volume ${dataVolume.target}`,
    );

    const lg = c.services.loadgen;
    assert.equal(lg.command[0], "--loadgen");
    const parsed = parseOptions(lg.command.slice(1));
    assert.equal(parsed.help, false);
    if (!parsed.help) {
      assert.equal(String(parsed.options.target).replace(/\/$/, ""), "http://trading_api:8000");
    }
    assert.equal(lg.depends_on.trading_api.condition, "service_healthy");
    // `disable: true` reads back as test: [NONE].
    assert.ok(
      lg.healthcheck?.disable === true || lg.healthcheck?.test?.[0] === "NONE",
      "loadgen does not probe a server it does not run",
    );
  },
});
