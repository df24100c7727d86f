/**
 * The bench's generated rule file is clean for both linters, so that `bench/lint.ts` compares
 * the same work (promtool prints "SUCCESS", the linter finds nothing).
 */
import assert from "node:assert/strict";
import { generateRuleFile } from "../../bench/lint.ts";
import { lintText } from "../../src/lint/lint.ts";
import { options, promtoolPresent, serviceCatalog } from "./helpers.ts";

Deno.test("bench input: generated rules lint clean in both modes, with the catalog", async () => {
  const text = generateRuleFile(240);
  const catalog = await serviceCatalog();
  for (const prometheus of [2, 3] as const) {
    const res = lintText("gen.yml", text, options({ prometheus, catalog }));
    assert.deepEqual(res.problems, []);
    assert.equal(res.rules, 240);
  }
});

Deno.test({
  name: "bench input: promtool accepts the generated rules",
  ignore: !promtoolPresent(),
  async fn() {
    const file = await Deno.makeTempFile({ suffix: ".yml" });
    try {
      await Deno.writeTextFile(file, generateRuleFile(240));
      const out = await new Deno.Command("promtool", {
        args: ["check", "rules", file],
        stdout: "piped",
        stderr: "piped",
      }).output();
      assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
      assert.match(new TextDecoder().decode(out.stdout), /SUCCESS: 240 rules found/);
    } finally {
      await Deno.remove(file);
    }
  },
});
