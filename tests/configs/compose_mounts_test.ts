/**
 * compose.yaml mounts configs/ where these configs expect it: prometheus.yml next to its
 * relative rule file, alertmanager.yml, Grafana's provisioning and the dashboards directory the
 * dashboard provider reads.
 */
import assert from "node:assert/strict";
import { parse } from "yaml";
import { readConfigYaml, ROOT } from "./tools.ts";

interface Compose {
  services: Record<string, { volumes?: string[]; command?: string[] }>;
}

/** The container path a bind mount of `source` lands on, or undefined. */
function mountOf(volumes: string[] | undefined, source: string): string | undefined {
  for (const v of volumes ?? []) {
    const [src, dst] = v.split(":");
    if (src.replace(/^\.\//, "").replace(/\/$/, "") === source) return dst;
  }
  return undefined;
}

Deno.test("compose.yaml mounts every config where it is expected", async () => {
  const compose = parse(await Deno.readTextFile(`${ROOT}compose.yaml`)) as Compose;
  const prom = compose.services.prometheus;
  const promYml = mountOf(prom.volumes, "configs/prometheus.yml");
  const rules = mountOf(prom.volumes, "configs/alert_rules.yml");
  assert.ok(promYml && rules, "prometheus mounts prometheus.yml and alert_rules.yml");
  const dirOf = (p: string) => p.slice(0, p.lastIndexOf("/"));
  assert.equal(dirOf(rules), dirOf(promYml), "rule_files is relative to prometheus.yml");
  assert.ok(prom.command?.includes(`--config.file=${promYml}`));

  const am = compose.services.alertmanager;
  const amYml = mountOf(am.volumes, "configs/alertmanager.yml");
  assert.ok(amYml && am.command?.includes(`--config.file=${amYml}`));

  const grafana = compose.services.grafana;
  assert.equal(
    mountOf(grafana.volumes, "configs/grafana/provisioning"),
    "/etc/grafana/provisioning",
  );
  const provider = await readConfigYaml("grafana/provisioning/dashboards/tradewatch.yml") as {
    providers: { options: { path: string } }[];
  };
  assert.equal(
    mountOf(grafana.volumes, "configs/grafana/dashboards"),
    provider.providers[0].options.path,
  );
});
