/**
 * YAML with positions: node ranges, merges and aliases, only the first document, errors.
 */
import assert from "node:assert/strict";
import { parseYaml } from "../../src/lint/yaml.ts";
import { SourceIndex } from "../../src/lint/source.ts";
import { lint } from "./helpers.ts";

Deno.test("yaml: node ranges and values", () => {
  const text = "a: 'x'\nb:\n  - 1   # c\n  - {k: v}\n";
  const { root, table, error } = parseYaml(text);
  assert.equal(error, undefined);
  const [a, av, b, bv] = table.children(root!);
  assert.equal(text.slice(table.start[a], table.end[a]), "a");
  assert.equal(text.slice(table.start[av], table.end[av]), "'x'");
  assert.equal(table.value(av), "x");
  assert.equal(table.value(b), "b");
  const [one, flow] = table.children(bv);
  assert.equal(table.value(one), "1", "scalars stay strings, as Go reads them into strings");
  assert.equal(text.slice(table.start[one], table.end[one]), "1");
  assert.equal(text.slice(table.start[flow], table.end[flow]), "{k: v}");
  assert.deepEqual(table.entries(flow).map((e) => [table.value(e.key), table.value(e.value)]), [[
    "k",
    "v",
  ]]);
});

Deno.test("yaml: null stays null, quoted null is a string", () => {
  const { root, table } = parseYaml('a: null\nb: "null"\nc:\n');
  const v = table.children(root!).map((n) => table.value(n));
  assert.deepEqual(v, ["a", null, "b", "null", "c", null]);
});

Deno.test("yaml: only the first document counts, even when a later one is broken", () => {
  const r = parseYaml("a: 1\n---\nb: [\n");
  assert.equal(r.error, undefined);
  assert.deepEqual(r.table.children(r.root!).map((n) => r.table.value(n)), ["a", "1"]);
});

Deno.test("yaml: syntax errors and duplicate keys have positions", () => {
  const src = new SourceIndex("a: 1\na: 2\n");
  const r = parseYaml(src.text);
  assert.ok(r.error);
  assert.match(r.error.message, /duplicated mapping key/);
  assert.deepEqual(src.position(r.error.offset), { line: 2, col: 1 });
});

Deno.test("yaml: merge keys and aliases in rule files", () => {
  const text = [
    "groups:",
    "  - name: g",
    "    rules:",
    "      - &base",
    "        alert: A",
    "        expr: up == 0",
    "        labels: {severity: page}",
    "      - <<: *base",
    "        alert: B",
    "",
  ].join("\n");
  assert.deepEqual(lint(text).filter((p) => p.severity === "error"), []);
  const dup = lint(text.replace("alert: B", "alert: A"));
  assert.deepEqual(dup.map((p) => [p.check, p.line]), [["rule/duplicate", 9]]);
});

Deno.test("yaml: strict decoding reports every unknown field and wrong type", () => {
  const text = [
    "groups:",
    "  - name: g",
    "    limit: ten",
    "    namespace: x",
    "    rules:",
    "      - alert: A",
    "        expr: up == 0",
    "        severity: page",
    "        labels: [a]",
    "      - just a string",
    "",
  ].join("\n");
  const got = lint(text, { prometheus: 2 }).map((p) => `${p.line}:${p.col} ${p.message}`);
  assert.deepEqual(got, [
    '3:12 limit must be an integer, got "ten"',
    '4:5 unknown field "namespace" in group (allowed: name, interval, limit, rules)',
    '8:9 unknown field "severity" in rule (allowed: record, alert, expr, for, keep_firing_for, labels, annotations)',
    "9:17 labels must be a mapping of names to strings, got a sequence",
    "10:9 a rule must be a mapping, got a scalar",
  ]);
});
