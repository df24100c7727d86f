/**
 * The bench's generated rule file is clean for both linters, so that `bench/lint.ts` compares
 * the same work (promtool prints "SUCCESS", the linter finds nothing).
 */
import assert from "node:assert/strict";
import {
  generateRuleFile,
  realWorldFiles,
  realWorldRules,
  variedRuleFile,
} from "../../bench/lint.ts";
import { numberShape } from "../../src/lint/shape.ts";
import { lintText } from "../../src/lint/lint.ts";
import { options, promtoolPresent, serviceCatalog } from "./helpers.ts";
import { runCommand } from "../support/command.ts";

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
      const out = await runCommand("promtool", ["check", "rules", file]);
      assert.equal(out.code, 0, out.stderr);
      assert.match(out.stdout, /SUCCESS: 240 rules found/);
    } finally {
      await Deno.remove(file);
    }
  },
});

Deno.test({
  name:
    "bench input: 5,000 real-world rules, no two of one shape, accepted by promtool and the linter",
  ignore: realWorldFiles().length === 0,
  async fn() {
    const rules = realWorldRules();
    assert.ok(rules.length > 300);
    const text = variedRuleFile(rules, 5000);
    const exprs = [...text.matchAll(/^ {4}expr: (.*)$/gm)].map((m) => JSON.parse(m[1]) as string);
    assert.equal(exprs.length, 5000);
    assert.equal(new Set(exprs.map((e) => numberShape(e))).size, 5000, "no shared shape");
    const res = lintText("rw.yml", text, options({ prometheus: 2 }));
    assert.equal(res.rules, 5000);
    const kinds = new Set(res.problems.map((p) => p.check));
    // Only the corpus' own reviewed findings (tests/lint/real_world_test.ts), renamed.
    assert.deepEqual([...kinds].sort(), ["alerts/template-labels", "promql/histogram"]);
    if (!promtoolPresent()) return;
    const file = await Deno.makeTempFile({ suffix: ".yml" });
    try {
      await Deno.writeTextFile(file, text);
      const out = await new Deno.Command("promtool", {
        args: ["check", "rules", file],
        stdout: "piped",
        stderr: "piped",
      }).output();
      assert.equal(out.code, 0, new TextDecoder().decode(out.stderr).slice(0, 2000));
    } finally {
      await Deno.remove(file);
    }
  },
});
