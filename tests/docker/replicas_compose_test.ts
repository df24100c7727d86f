/**
 * The scaled-out stack for real: `docker-compose -f compose.replicas.yaml up --scale
 * trading_api=3` on a private dockerd, with local stand-ins for every base image (Debian's
 * PostgreSQL, Redis and exporters; no registry is reachable here): Prometheus discovers the three
 * replicas by DNS and keeps one target each, the exporters report both databases up, orders sent
 * to each replica's host port land in the one book, and no scale-out alert fires. Skips with the
 * reason where no private engine can start (TRADEWATCH_DOCKER_TEST=0 skips it too).
 */
import assert from "node:assert/strict";
import {
  buildStandinImages,
  dockerSkipReason,
  freePort,
  ROOT,
  runCompose,
  startPrivateDockerd,
  waitFor,
} from "./private_dockerd.ts";
import { parse as parseYaml } from "yaml";

const RUN_TAG = "tradewatch:test-replicas";

const skipReason = await dockerSkipReason();
if (skipReason) console.warn(`SKIPPED scaled-out compose test: ${skipReason}`);

async function promQuery(
  prom: string,
  q: string,
): Promise<{ metric: Record<string, string>; value: [number, string] }[]> {
  const res = await fetch(`${prom}/api/v1/query?query=${encodeURIComponent(q)}`, {
    signal: AbortSignal.timeout(5000),
  });
  const body = await res.json();
  if (body.status !== "success") throw new Error(JSON.stringify(body).slice(0, 300));
  return body.data.result;
}

Deno.test({
  name: "compose.replicas.yaml --scale trading_api=3: one target per replica, one book",
  ignore: skipReason !== null,
  async fn(t) {
    const doc = parseYaml(await Deno.readTextFile(`${ROOT}compose.replicas.yaml`));
    const name = `twrep${crypto.randomUUID().slice(0, 8)}`;
    const env = {
      PROMETHEUS_PORT: String(freePort()),
      ALERTMANAGER_PORT: String(freePort()),
      GRAFANA_PORT: String(freePort()),
    };
    const engine = await startPrivateDockerd();
    const project = {
      host: engine.host,
      file: "compose.replicas.yaml",
      project: name,
      runTag: RUN_TAG,
      env,
    };
    const compose = (args: string[]) => runCompose(project, args);
    try {
      await t.step("stand-in images and the run image", async () => {
        await buildStandinImages(engine.host, {
          PROMETHEUS_IMAGE: doc.services.prometheus.image,
          ALERTMANAGER_IMAGE: "prom/alertmanager:v0.28.1",
          DATABASE_IMAGES: "1",
        });
        const build = await engine.docker(
          ["build", "--network", "host", "--target", "run", "-t", RUN_TAG, "."],
          { env: { DOCKER_BUILDKIT: "0" }, cwd: ROOT },
        );
        assert.equal(build.code, 0, (build.stdout + build.stderr).slice(-3000));
      });

      await t.step(
        "up --scale trading_api=3: Prometheus keeps one target per replica",
        async () => {
          const up = await compose([
            "up",
            "--detach",
            "--no-build",
            "--scale",
            "trading_api=3",
            "postgres",
            "redis",
            "postgres_exporter",
            "redis_exporter",
            "trading_api",
            "prometheus",
            "alertmanager",
          ]);
          assert.equal(up.code, 0, `up failed:\n${up.out.slice(-4000)}`);
          const prom = `http://127.0.0.1:${env.PROMETHEUS_PORT}`;
          const targets = await waitFor("three trading_api targets up", 180_000, async () => {
            const r = await promQuery(prom, 'up{job="trading_api"} == 1');
            return r.length === 3 ? r : undefined;
          }).catch(async (e) => {
            const logs = await compose(["logs", "--tail", "30"]);
            throw new Error(`${e.message}\n${logs.out.slice(-4000)}`);
          });
          assert.equal(new Set(targets.map((x) => x.metric.instance)).size, 3);
          await waitFor("pg_up and redis_up", 120_000, async () => {
            const pg = await promQuery(prom, "pg_up == 1");
            const redis = await promQuery(prom, "redis_up == 1");
            return pg.length === 1 && redis.length === 1 ? true : undefined;
          });

          // Orders to each replica's host port land in the one book.
          const ports: number[] = [];
          for (let i = 1; i <= 3; i++) {
            const r = await compose(["port", `--index=${i}`, "trading_api", "8000"]);
            const port = Number(/:(\d+)\s*$/.exec(r.out.trim())?.[1]);
            if (port > 0) ports.push(port);
          }
          assert.equal(ports.length, 3, `replicas on ${ports}`);
          for (const p of ports) {
            for (let i = 0; i < 5; i++) {
              const r = await fetch(`http://127.0.0.1:${p}/orders`, {
                method: "POST",
                headers: { "content-type": "application/json" },
                body: JSON.stringify({ symbol: "AAPL", side: "BUY", quantity: 1 }),
              });
              assert.equal(r.status, 201, await r.text());
            }
          }
          const positions = await Promise.all(ports.map(async (p) => {
            let seen: unknown = null;
            return await waitFor(`replica ${p} showing the book`, 30_000, async () => {
              const body = await (await fetch(`http://127.0.0.1:${p}/positions`)).json();
              const aapl = body.positions.find((x: { symbol: string }) => x.symbol === "AAPL");
              seen = aapl;
              return aapl.quantity === 15 ? aapl.quantity : undefined;
            }).catch(async (e) => {
              const db = await compose([
                "exec",
                "-T",
                "postgres",
                "psql",
                "-U",
                "tradewatch",
                "-d",
                "tradewatch",
                "-Atc",
                "SELECT symbol, quantity FROM positions",
              ]);
              const states = await Promise.all(ports.map(async (q) => {
                const r = await (await fetch(`http://127.0.0.1:${q}/ready`)).text();
                const pos = await (await fetch(`http://127.0.0.1:${q}/positions`)).text();
                return `${q}: ${r} ${pos.slice(0, 200)}`;
              }));
              const logs = await compose(["logs", "--tail", "40", "trading_api"]);
              const errors = logs.out.split("\n").filter((l) => !l.includes('"msg":"request"'));
              throw new Error(
                `${e.message}: ${JSON.stringify(seen)}\ndb: ${db.out}\n${states.join("\n")}\n` +
                  errors.slice(-40).join("\n"),
              );
            });
          }));
          assert.deepEqual(positions, [15, 15, 15]);
          await waitFor("sum(order_count_total) == 15 in Prometheus", 60_000, async () => {
            const r = await promQuery(prom, 'sum(order_count_total{job="trading_api"})');
            return Number(r[0]?.value[1]) === 15 ? true : undefined;
          });
          const firing = await promQuery(
            prom,
            'ALERTS{alertname=~"TradingAPIReplicasLow|PostgresDown|RedisDown"}',
          );
          assert.deepEqual(firing, []);
        },
      );
    } finally {
      await compose(["down", "--volumes", "--timeout", "5"]).catch(() => {});
      await engine.stop();
    }
  },
});
