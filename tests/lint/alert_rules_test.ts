/**
 * The repository's own configs/alert_rules.yml lints clean in both modes (no errors, no
 * warnings, with the service catalog and configs/prometheus.yml) and under promtool.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { lintText } from "../../src/lint/lint.ts";
import { readScrapeSettings } from "../../src/lint/config.ts";
import { loadServiceCatalog } from "../../src/lint/catalog.ts";
import { options, promtoolPresent, REPO } from "./helpers.ts";
import { runCommand } from "../support/command.ts";

const RULES = join(REPO, "configs", "alert_rules.yml");
const CONFIG = join(REPO, "configs", "prometheus.yml");

Deno.test("configs/alert_rules.yml exists and lints clean in 2 and 3 modes", async () => {
  const text = await Deno.readTextFile(RULES);
  const scrape = readScrapeSettings(await Deno.readTextFile(CONFIG), CONFIG);
  const catalog = await loadServiceCatalog(scrape.targetLabels);
  for (const prometheus of [2, 3] as const) {
    const res = lintText(
      RULES,
      text,
      options({
        prometheus,
        catalog,
        scrapeIntervalMs: scrape.intervalMs,
        scrapeIntervalSource: scrape.source,
      }),
    );
    const serious = res.problems.filter((p) => p.severity !== "info");
    assert.deepEqual(serious, [], `--prometheus ${prometheus}`);
    assert.ok(res.rules >= 3, "the seed's alerts at least");
  }
});

Deno.test({
  name: "configs/alert_rules.yml passes promtool 2.42",
  ignore: !promtoolPresent(),
  async fn() {
    const out = await runCommand("promtool", ["check", "rules", RULES]);
    assert.equal(out.code, 0, out.stderr);
  },
});
