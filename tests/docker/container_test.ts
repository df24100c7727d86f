/**
 * The container, for real: a private dockerd, local stand-ins for the base images (no registry is
 * reachable), the REAL Dockerfile built (its `run` target, and the distroless `final` target with
 * the offline DENORT_BIN=/bin/true packaging), the `run` image started with host networking on a
 * free loopback port, then `/health`, a scrape of `/metrics` with the whole metric catalog,
 * Docker's own HEALTHCHECK status and a graceful exit 0 on `docker stop`. Then the REAL compose.yaml brought up (trading_api from the
 * `run` image, Prometheus and Alertmanager from stand-ins that run this host's Debian binaries,
 * loadgen): the trading_api target is UP in Prometheus, the rules are loaded, Alertmanager is
 * discovered and the load generator's orders reach Prometheus. The final image is built with
 * BuildKit, the run target with the classic builder. Everything is stopped by PID and
 * removed at the end.
 *
 * Skipped (visibly, with the reason) only when a private engine cannot run here at all: not
 * Linux, not root, docker.io not installed, or dockerd fails to start with both overlay2 and vfs;
 * or when TRADEWATCH_DOCKER_TEST=0 asks for it.
 */
import assert from "node:assert/strict";
import {
  buildStandinImages,
  type ComposeProject,
  dockerSkipReason,
  freePort,
  GiveUp,
  ROOT,
  runCompose,
  startPrivateDockerd,
  waitFor,
} from "./private_dockerd.ts";
import { createCatalog, describeCatalog } from "../../src/metrics/catalog.ts";
import { parse as parseYaml } from "yaml";

const RUN_TAG = "tradewatch:test-run";
const FINAL_TAG = "tradewatch:test-final";

const skipReason = await dockerSkipReason();
if (skipReason) {
  console.warn(`SKIPPED container test: ${skipReason}`);
}

async function get(url: string): Promise<{ status: number; type: string; body: string }> {
  const res = await fetch(url, { signal: AbortSignal.timeout(5000) });
  return {
    status: res.status,
    type: res.headers.get("content-type") ?? "",
    body: await res.text(),
  };
}

type StackPorts = Record<
  "TRADEWATCH_API_PORT" | "PROMETHEUS_PORT" | "ALERTMANAGER_PORT" | "GRAFANA_PORT",
  string
>;

/** The real compose.yaml as `project` on the engine at `host`. */
function composeYaml(host: string, project: string, ports: StackPorts): ComposeProject {
  return { host, file: "compose.yaml", project, runTag: RUN_TAG, env: ports };
}

/** The images compose.yaml pins for Prometheus and Alertmanager (stand-ins get these tags). */
async function imagesOfCompose(): Promise<{ prometheus: string; alertmanager: string }> {
  // deno-lint-ignore no-explicit-any
  const doc = parseYaml(await Deno.readTextFile(`${ROOT}compose.yaml`)) as any;
  return {
    prometheus: doc.services.prometheus.image,
    alertmanager: doc.services.alertmanager.image,
  };
}

/** Bring up everything but grafana (no stand-in) from the prebuilt `run` image. */
async function composeUp(host: string, project: string, ports: StackPorts) {
  const up = await runCompose(composeYaml(host, project, ports), [
    "up",
    "--detach",
    "--no-build",
    "trading_api",
    "prometheus",
    "alertmanager",
    "loadgen",
  ]);
  assert.equal(up.code, 0, `docker-compose up failed:\n${up.out.slice(-4000)}`);
}

// deno-lint-ignore no-explicit-any
async function promApi(prom: string, path: string): Promise<any> {
  const res = await fetch(`${prom}${path}`, { signal: AbortSignal.timeout(5000) });
  const body = await res.json();
  assert.equal(body.status, "success", `${path}: ${JSON.stringify(body).slice(0, 300)}`);
  return body.data;
}

async function instant(prom: string, query: string): Promise<number | undefined> {
  const data = await promApi(prom, `/api/v1/query?query=${encodeURIComponent(query)}`);
  const v = data.result?.[0]?.value?.[1];
  return v === undefined ? undefined : Number(v);
}

/** What `docker compose up` must give: the seed's outcome, on the real configs. */
async function checkStack(prom: string, ports: StackPorts) {
  // deno-lint-ignore no-explicit-any
  const target = await waitFor<any>("the trading_api target UP in Prometheus", 90_000, async () => {
    const data = await promApi(prom, "/api/v1/targets?state=active");
    // deno-lint-ignore no-explicit-any
    const t = data.activeTargets.find((x: any) => x.labels.job === "trading_api");
    return t?.health === "up" ? t : undefined;
  });
  assert.equal(target.scrapeUrl, "http://trading_api:8000/metrics");
  assert.equal(await instant(prom, 'up{job="trading_api"}'), 1);

  // The rule file mounted next to prometheus.yml is loaded, every rule of it.
  // deno-lint-ignore no-explicit-any
  const rulesDoc = parseYaml(await Deno.readTextFile(`${ROOT}configs/alert_rules.yml`)) as any;
  // deno-lint-ignore no-explicit-any
  const want = rulesDoc.groups.reduce((n: number, g: any) => n + g.rules.length, 0);
  const rules = await promApi(prom, "/api/v1/rules");
  // deno-lint-ignore no-explicit-any
  const got = rules.groups.reduce((n: number, g: any) => n + g.rules.length, 0);
  assert.equal(got, want, "every rule of configs/alert_rules.yml is loaded");

  // Alertmanager by its service name, and reachable on its published port.
  const ams = await waitFor("Alertmanager discovered", 30_000, async () => {
    const d = await promApi(prom, "/api/v1/alertmanagers");
    return d.activeAlertmanagers.length ? d.activeAlertmanagers : undefined;
  });
  assert.match(ams[0].url, /^http:\/\/alertmanager:9093\//);
  const ready = await waitFor("Alertmanager ready on its published port", 30_000, async () => {
    const r = await get(`http://127.0.0.1:${ports.ALERTMANAGER_PORT}/-/ready`);
    return r.status === 200 ? r : undefined;
  });
  assert.equal(ready.status, 200);

  // The trading API on its published port, and the load generator's orders in Prometheus.
  const health = await waitFor("trading_api /health on its published port", 30_000, async () => {
    const r = await get(`http://127.0.0.1:${ports.TRADEWATCH_API_PORT}/health`);
    return r.status === 200 ? r : undefined;
  });
  assert.equal(health.status, 200);
  const orders = await waitFor("loadgen's orders scraped by Prometheus", 90_000, async () => {
    const v = await instant(prom, "sum(order_count_total)");
    return v !== undefined && v > 0 ? v : undefined;
  });
  assert.ok(orders > 0);
}

Deno.test({
  name: "container: run target serves /health and /metrics, compose stack UP, final is distroless",
  ignore: skipReason !== null,
  async fn(t) {
    const started = performance.now();
    const composeImages = await imagesOfCompose();
    const project = `twtest${crypto.randomUUID().slice(0, 8)}`;
    const stackPorts = {
      TRADEWATCH_API_PORT: String(freePort()),
      PROMETHEUS_PORT: String(freePort()),
      ALERTMANAGER_PORT: String(freePort()),
      GRAFANA_PORT: String(freePort()),
    };
    const engine = await startPrivateDockerd();
    const container = `tw-test-${crypto.randomUUID().slice(0, 8)}`;
    const docker = engine.docker;
    const must = async (args: string[], what: string, env?: Record<string, string>) => {
      const r = await docker(args, { env, cwd: ROOT });
      assert.equal(
        r.code,
        0,
        `${what} failed (exit ${r.code}):\n${(r.stdout + r.stderr).slice(-4000)}`,
      );
      return r.stdout;
    };
    try {
      await t.step(`stand-in base images (engine: ${engine.storageDriver})`, async () => {
        await buildStandinImages(engine.host, {
          PROMETHEUS_IMAGE: composeImages.prometheus,
          ALERTMANAGER_IMAGE: composeImages.alertmanager,
        });
        await must(["image", "inspect", "denoland/deno:2.9.6"], "inspect deno stand-in");
        await must(
          ["image", "inspect", "gcr.io/distroless/cc-debian12:nonroot"],
          "inspect distroless stand-in",
        );
      });

      await t.step("docker build --target run (the real Dockerfile)", async () => {
        await must(
          ["build", "--network", "host", "--target", "run", "-t", RUN_TAG, "."],
          "docker build --target run",
          { DOCKER_BUILDKIT: "0" },
        );
        const user =
          (await must(["image", "inspect", "-f", "{{.Config.User}}", RUN_TAG], "inspect"))
            .trim();
        assert.equal(user, "deno", "the run target runs as the image's non-root deno user");
      });

      await t.step("run it: /health, a scrape of /metrics, Docker's HEALTHCHECK", async () => {
        const port = freePort();
        await must([
          "run",
          "--detach",
          "--name",
          container,
          "--network",
          "host",
          "--env",
          `PORT=${port}`,
          "--env",
          "HOST=127.0.0.1",
          // The image's HEALTHCHECK command, probed every second instead of every 10 s.
          "--health-interval",
          "1s",
          "--health-start-period",
          "60s",
          RUN_TAG,
        ], "docker run");
        const base = `http://127.0.0.1:${port}`;
        const logs = async () => {
          const r = await docker(["logs", "--tail", "40", container]);
          return r.stdout + r.stderr;
        };

        const health = await waitFor("GET /health answering 200", 60_000, async () => {
          const running = await docker(["inspect", "-f", "{{.State.Running}}", container]);
          if (running.stdout.trim() === "false") {
            throw new GiveUp(`the container exited:\n${await logs()}`);
          }
          const r = await get(`${base}/health`);
          return r.status === 200 ? r : undefined;
        }).catch(async (err) => {
          throw new Error(`${err.message}\ncontainer log:\n${await logs()}`);
        });
        assert.equal(health.status, 200);

        const scrape = await get(`${base}/metrics`);
        assert.equal(scrape.status, 200, scrape.body.slice(0, 500));
        assert.match(scrape.type, /^text\/plain/);
        const names = (await describeCatalog(createCatalog())).map((e) => e.name);
        assert.ok(names.length >= 14, `the catalog lists its metrics (${names.length})`);
        for (const name of names) {
          assert.match(scrape.body, new RegExp(`^# TYPE ${name} `, "m"), `${name} is exposed`);
        }
        assert.match(scrape.body, /^tradewatch_build_info\{[^}]*deno="2\.9\.6"[^}]*\} 1$/m);

        const status = await waitFor("Docker's health status 'healthy'", 60_000, async () => {
          const s = (await docker(["inspect", "-f", "{{.State.Health.Status}}", container])).stdout
            .trim();
          return s === "healthy" ? s : undefined;
        });
        assert.equal(status, "healthy");

        // `docker stop` sends SIGTERM to PID 1 (the program itself, no init): it must shut down
        // gracefully and exit 0, not be killed after the grace period (exit 137).
        await must(["stop", "--time", "20", container], "docker stop");
        const exit = (await docker(["inspect", "-f", "{{.State.ExitCode}}", container])).stdout;
        assert.equal(exit.trim(), "0", `graceful exit on SIGTERM as PID 1:\n${await logs()}`);
      });

      await t.step(
        "docker-compose up: trading_api UP in Prometheus, alerts wired, load",
        async () => {
          await composeUp(engine.host, project, stackPorts);
          const prom = `http://127.0.0.1:${stackPorts.PROMETHEUS_PORT}`;
          const composeLogs = async () =>
            (await runCompose(composeYaml(engine.host, project, stackPorts), [
              "logs",
              "--tail",
              "15",
              "--no-color",
            ]))
              .out;
          try {
            await checkStack(prom, stackPorts);
          } catch (err) {
            throw new Error(`${(err as Error).message}\ncompose logs:\n${await composeLogs()}`);
          }
        },
      );

      await t.step(
        "docker build (final, BuildKit: distroless, non-root, self-probing)",
        async () => {
          // deno compile cannot download denort offline: exercise the packaging with /bin/true.
          // BuildKit here (the run target above used the classic builder): both must work.
          await must(
            [
              "build",
              "--progress",
              "plain",
              "--network",
              "host",
              "--build-arg",
              "DENORT_BIN=/bin/true",
              "-t",
              FINAL_TAG,
              ".",
            ],
            "docker build (final)",
            { DOCKER_BUILDKIT: "1" },
          );
          const config = JSON.parse(
            await must(["image", "inspect", "-f", "{{json .Config}}", FINAL_TAG], "inspect final"),
          );
          assert.equal(config.User, "65532:65532");
          assert.deepEqual(config.Entrypoint, ["/usr/local/bin/tradewatch"]);
          assert.deepEqual(config.Healthcheck.Test, [
            "CMD",
            "/usr/local/bin/tradewatch",
            "--healthcheck",
          ]);
          assert.ok("8000/tcp" in config.ExposedPorts);
          assert.ok("/data" in config.Volumes);
          assert.ok(config.Env.includes("TRADEWATCH_DB=/data/tradewatch.db"));
          // The executable is in the image, with the program embedded (payload marker).
          const probe = `${container}-final`;
          await must(["create", "--name", probe, FINAL_TAG], "docker create final");
          try {
            const tar = await docker(["cp", `${probe}:/usr/local/bin/tradewatch`, "-"]);
            assert.equal(tar.code, 0, tar.stderr);
            assert.ok(tar.stdout.includes("d3n0l4nd"), "the compiled program is embedded");
            const shell = await docker(["cp", `${probe}:/bin/sh`, "-"]);
            assert.notEqual(shell.code, 0, "the final image has no shell");
          } finally {
            await docker(["rm", "-f", probe]);
          }
        },
      );
    } finally {
      await runCompose(composeYaml(engine.host, project, stackPorts), [
        "down",
        "--volumes",
        "--timeout",
        "5",
      ]);
      await docker(["rm", "--force", "--volumes", container]);
      await engine.stop();
      console.log(
        `container test: ${((performance.now() - started) / 1000).toFixed(1)} s ` +
          `(engine ${engine.storageDriver})`,
      );
    }
  },
});
