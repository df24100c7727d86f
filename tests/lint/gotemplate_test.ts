/**
 * The Go template parser against promtool 2.42: each template below was checked by Debian's
 * promtool (as an annotation of an alert); the expected message is promtool's, "" = accepted.
 * A sample also runs through the live promtool when it is installed.
 */
import assert from "node:assert/strict";
import { parseTemplate, templateShape } from "../../src/lint/gotemplate.ts";
import { RunCache } from "../../src/lint/cache.ts";
import { promtoolPresent } from "./helpers.ts";

/** [template, promtool 2.42's message or "" when it accepts it]. */
const CASES: [string, string][] = [
  ["{{ .Foo.Bar }}", ""],
  ["{{ $x := 1 }}{{ $x }}", ""],
  ["{{ range $i, $e := $labels }}{{ $i }}{{ end }}{{ $i }}", 'undefined variable "$i"'],
  ["{{ end }}", "unexpected {{end}}"],
  ["{{ else }}", "unexpected {{else}}"],
  ["{{ if }}{{ end }}", "missing value for if"],
  ["{{ break }}", "{{break}} outside {{range}}"],
  ['{{ "abc }}', "unterminated quoted string"],
  ["{{ ( }}", "unclosed left paren"],
  ["{{ ) }}", 'unexpected ")" in command'],
  ["{{ | }}", 'unexpected "|" in command'],
  ["{{ 1 | }}", ""],
  ["{{/* c */}}", ""],
  ["{{ /* c */ }}", 'unexpected "/" in command'],
  ["{{- $value -}}", ""],
  ["{{ $value |humanize}}", ""],
  ['{{ template "x" }}', ""],
  ['{{ define "x" }}{{ end }}', ""],
  ['{{ block "x" . }}{{ end }}', ""],
  ["{{ $value.foo }}", ""],
  ['{{ printf "%s" (humanize $value) }}', ""],
  ["{{ $y = 1 }}", ""],
  ["{{ with $labels.x }}{{ . }}{{ else }}none{{ end }}", ""],
  ["{{ if eq 1 1 }}a{{ else if eq 2 2 }}b{{ end }}", ""],
  ["{{ nil }}", ""],
  ["{{ true }}", ""],
  ["{{ 'a' }}", ""],
  ["{{ 1.5e3 }}", ""],
  ["{{ -1 }}", ""],
  ["{{}}", "missing value for command"],
  ["{{ $ }}", ""],
  ["{{ range . }}{{ break }}{{ end }}", ""],
  ["{{ continue }}", "{{continue}} outside {{range}}"],
  ["{{ $x := 1 }}{{ $x = 2 }}", ""],
  ["{{ if 1 }}{{ $z := 1 }}{{ end }}{{ $z }}", 'undefined variable "$z"'],
  ["{{ 1 2 }}", ""],
  ["{{ humanize }}", ""],
  ["{{ .a | .b }}", ""],
  ["{{ $labels | $value }}", ""],
  ["{{ (1) }}", ""],
  ['{{ "a" | printf "%s" | len }}', ""],
  ["{{ 1 := 2 }}", 'unexpected ":=" in operand'],
  ["{{ range $i, $e, $f := . }}{{ end }}", "too many declarations in range"],
  ["{{ with $x := 1 }}{{ $x }}{{ end }}", ""],
  ["{{ if 1 }}{{ else }}{{ else }}{{ end }}", "expected end; found {{else}}"],
  ["{{ else if 1 }}", "unexpected {{else}}"],
  ["{{ .Labels.x.y }}", ""],
  ["{{ 1 . }}", ""],
  ["{{ $value 1 }}", ""],
  ['{{ "a" "b" }}', ""],
  ["{{ 08 }}", 'integer overflow: "08"'],
  ["{{ 1e }}", 'illegal number syntax: "1e"'],
  ["{{ `raw` }}", ""],
  ["{{ range $x := . }}{{ end }}", ""],
  ["{{ if 1 }}x{{ end", "unclosed action"],
  ["{{ /* open }}", 'unexpected "/" in command'],
  ['{{ index $labels "a" }}{{ .x.y.z }}{{ $.x }}', ""],
  ['{{ define "a" }}x{{ end }}{{ template "a" . }}', ""],
  ["{{ range 5 }}{{ end }}", ""],
  ["{{ range . }}{{ else }}{{ end }}", ""],
  ['{{ .Labels."x" }}', "bad character U+0022 '\"'"],
  ["{{ $labels.a-b }}", "bad character U+002D '-'"],
  ["{{ $labels.0 }}", 'unexpected ".0" in operand'],
];

Deno.test("templates: verdicts and messages equal promtool 2.42's", () => {
  for (const [template, message] of CASES) {
    const got = parseTemplate(template, 2).error?.message ?? "";
    assert.equal(got, message, template);
  }
});

Deno.test("templates: {{else with}} exists in 3 (Go 1.23), not in 2.42", () => {
  const t = "{{ with $labels.a }}{{ . }}{{ else with $labels.b }}{{ . }}{{ end }}";
  assert.equal(parseTemplate(t, 3).error, undefined);
  assert.ok(parseTemplate(t, 2).error);
});

Deno.test("templates: $labels references and $value uses are collected", () => {
  const info = parseTemplate(
    "{{ $labels.instance }} {{ $value }} {{ .Value }} {{ range . }}{{ .Value }}{{ end }}",
    3,
  );
  assert.deepEqual(info.labelRefs.map((r) => r.name), ["instance"]);
  assert.equal(info.valueRefs.length, 2, "$value and top-level .Value, not .Value inside range");
  assert.deepEqual(parseTemplate("no actions", 3), { labelRefs: [], valueRefs: [] });
});

Deno.test({
  name: "templates: live promtool agrees on a sample",
  ignore: !promtoolPresent(),
  async fn() {
    const dir = await Deno.makeTempDir();
    try {
      for (const [template, message] of CASES.filter((_, i) => i % 8 === 0)) {
        const file = `${dir}/t.yml`;
        const yaml =
          `groups:\n- name: g\n  rules:\n  - alert: A\n    expr: up == 0\n    annotations:\n      s: ${
            JSON.stringify(template)
          }\n`;
        await Deno.writeTextFile(file, yaml);
        const out = await new Deno.Command("promtool", {
          args: ["check", "rules", file],
          stdout: "null",
          stderr: "piped",
        })
          .output();
        assert.equal(out.code === 0, message === "", template);
        if (message) assert.ok(new TextDecoder().decode(out.stderr).includes(message), template);
      }
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test("templates: results are shared only by templates whose text differs in digits", () => {
  assert.equal(templateShape("rule 12 on {{ $labels.a }} at 3"), "rule 11 on {{ $labels.a }} at 1");
  // Digits inside actions are kept; quotes, comments and unclosed actions are never shared.
  assert.equal(templateShape("{{ humanize 12 }}"), "{{ humanize 12 }}");
  assert.equal(templateShape(`{{ "}}" }} 1`), undefined);
  assert.equal(templateShape("{{/* 1 */}} 2"), undefined);
  assert.equal(templateShape("1 {{ $labels.a"), undefined);
  const cache = new RunCache();
  const a = parseTemplate("rule 12 on {{ $labels.a }}", 2, cache);
  const b = parseTemplate("rule 34 on {{ $labels.a }}", 2, cache);
  assert.equal(a, b);
  assert.deepEqual(b.labelRefs, [{ name: "a", offset: 14 }]);
  const c = parseTemplate("rule 345 on {{ $labels.a }}", 2, cache);
  assert.deepEqual(c.labelRefs, [{ name: "a", offset: 15 }]);
  assert.notEqual(
    parseTemplate("{{ humanize 1 }}", 2, cache),
    parseTemplate("{{ humanize 2 }}", 2, cache),
  );
  // The same text in 3 mode is parsed for 3 (functions and {{else with}} differ).
  assert.notEqual(parseTemplate("rule 12 on {{ $labels.a }}", 3, cache), a);
  // A new run starts with an empty cache.
  assert.notEqual(parseTemplate("rule 12 on {{ $labels.a }}", 2, new RunCache()), a);
});
