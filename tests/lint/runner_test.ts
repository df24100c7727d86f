/**
 * The runner's walk: group, rule, expression and selector hooks, in check order, each guarded.
 */
import assert from "node:assert/strict";
import type { Check } from "../../src/lint/check.ts";
import { lint } from "./helpers.ts";

const FILE = `groups:
  - name: g
    rules:
      - alert: A
        expr: rate(a_total[5m]) > on() b
      - alert: B
        expr: rate(c_total[5m]
      - record: r:x
        expr: "1"
`;

Deno.test("runner: expr and selector hooks see valid expressions only, in source order", () => {
  const seen: string[] = [];
  const probe: Check = {
    name: "test/probe",
    kind: "beyond",
    description: "records the walk",
    group: (g) => (seen.push(`group ${g.name?.value}`), []),
    rule: (r) => (seen.push(`rule ${r.alert?.value ?? r.record?.value}`), []),
    expr: (a) => (seen.push(`expr ${a.expr}`), []),
    selector: (sel) => (seen.push(`selector ${sel.name}`), []),
  };
  lint(FILE, { checks: [probe] });
  assert.deepEqual(seen, [
    "group g",
    "rule A",
    "expr rate(a_total[5m]) > on() b",
    "selector a_total",
    "selector b",
    "rule B", // a syntax error: no expr, no selectors
    "rule r:x",
    "expr 1", // no selectors
  ]);
});

Deno.test("runner: a hook that throws is an internal error of its check; the others still run", () => {
  const broken: Check = {
    name: "test/broken",
    kind: "beyond",
    description: "throws on the second selector",
    selector(sel) {
      if (sel.name === "b") throw new Error("boom");
      return [];
    },
  };
  const after: Check = {
    name: "test/after",
    kind: "beyond",
    description: "one problem per selector",
    selector: (sel, _a, rule, ctx) => [
      ctx.inExpr("test/after", "info", rule, sel.node.from, sel.node.to, `saw ${sel.name}`),
    ],
  };
  const got = lint(FILE, { checks: [broken, after] });
  assert.deepEqual(
    got.map((p) => [p.check, p.message, p.line, p.col, p.text]),
    [
      ["internal", "internal error in check test/broken: boom", 1, 1, ""],
      ["test/after", "saw a_total", 5, 20, "a_total"],
      ["test/after", "saw b", 5, 40, "b"],
    ],
  );
});

Deno.test("runner: checks of kinds not enabled are left out", () => {
  let ran = 0;
  const online: Check = {
    name: "test/online",
    kind: "online",
    description: "needs --prometheus-url",
    expr: () => (ran++, []),
  };
  lint(FILE, { checks: [online] });
  assert.equal(ran, 0);
  lint(FILE, { checks: [online], online: true });
  assert.equal(ran, 2);
});
