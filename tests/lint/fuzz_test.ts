/**
 * Fuzz: thousands of mutated corpus files (bytes flipped, lines dropped or duplicated,
 * indentation changed, text spliced) never crash the linter: each run ends with problems or
 * none (exit 1 or 0) and a rendered report, without internal errors. A few go through the CLI.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { lintText } from "../../src/lint/lint.ts";
import { render } from "../../src/lint/report.ts";
import { splitGroups } from "../../src/lint/chunks.ts";
import { Rng } from "../../src/rng.ts";
import { CORPUS, corpusPresent, options, REPO, serviceCatalog } from "./helpers.ts";

const HAVE_CORPUS = corpusPresent();
const SEED = 20261127;
const MUTANTS = 8000;

/** The service's seeded generator (`src/rng.ts`), so that a failure can be replayed. */
function rng(seed: number): () => number {
  const generator = new Rng(seed);
  return () => generator.next();
}

const SPICE = [
  "{{",
  "}}",
  "[",
  "]",
  "{",
  "}",
  ":",
  "- ",
  "&a ",
  "*a",
  "<<: *a",
  "'",
  '"',
  "|",
  "#",
  "\t",
  "\u00e9",
  "\ud800",
  "5m",
  "rate(",
  "==",
  "$labels.",
  "by (",
  "le",
];

function corpusFiles(): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const e of Deno.readDirSync(dir)) {
      const p = join(dir, e.name);
      if (e.isDirectory) walk(p);
      else if (/\.ya?ml$/.test(e.name) && !e.name.startsWith("rules_large")) out.push(p);
    }
  };
  walk(CORPUS);
  return out.sort();
}

/** Apply 1–3 random mutations. */
function mutate(text: string, r: () => number): string {
  let lines = text.split("\n");
  const n = 1 + Math.floor(r() * 3);
  for (let k = 0; k < n; k++) {
    const i = Math.floor(r() * lines.length);
    switch (Math.floor(r() * 6)) {
      case 0: { // flip a byte
        const s = lines.join("\n");
        const at = Math.floor(r() * Math.max(1, s.length));
        const c = String.fromCharCode(32 + Math.floor(r() * 95));
        lines = (s.slice(0, at) + c + s.slice(at + 1)).split("\n");
        break;
      }
      case 1: // drop a line
        lines.splice(i, 1);
        break;
      case 2: // duplicate a line
        lines.splice(i, 0, lines[i] ?? "");
        break;
      case 3: // change indentation
        lines[i] = r() < 0.5 ? "  " + (lines[i] ?? "") : (lines[i] ?? "").replace(/^ {1,2}/, "");
        break;
      case 4: { // splice in YAML/PromQL/template punctuation
        const s = lines[i] ?? "";
        const at = Math.floor(r() * (s.length + 1));
        lines[i] = s.slice(0, at) + SPICE[Math.floor(r() * SPICE.length)] + s.slice(at);
        break;
      }
      default: // swap two lines
      {
        const j = Math.floor(r() * lines.length);
        [lines[i], lines[j]] = [lines[j] ?? "", lines[i] ?? ""];
      }
    }
  }
  return lines.join("\n");
}

Deno.test({
  name: `fuzz: ${MUTANTS} mutated corpus files never crash the linter (seed ${SEED})`,
  ignore: !HAVE_CORPUS,
  async fn() {
    const files = corpusFiles().map((p) => Deno.readTextFileSync(p));
    const r = rng(SEED);
    const catalog = await serviceCatalog();
    let failing = 0;
    for (let k = 0; k < MUTANTS; k++) {
      const text = mutate(files[k % files.length], r);
      const opts = options({ prometheus: k % 2 ? 2 : 3, catalog: k % 3 ? catalog : undefined });
      const res = lintText("fuzz.yml", text, opts);
      const internal = res.problems.filter((p) => p.check === "internal");
      assert.deepEqual(internal, [], `mutant ${k}:\n${text}`);
      for (const p of res.problems) {
        assert.ok(
          p.line >= 1 && p.col >= 1 && p.message.length > 0,
          `mutant ${k}: ${JSON.stringify(p)}`,
        );
      }
      if (res.problems.some((p) => p.severity === "error")) failing++;
      assert.ok(render([res], (["text", "json", "github"] as const)[k % 3]).length > 0);
    }
    // The mutations must actually break files, else the fuzz proves little.
    assert.ok(failing > MUTANTS / 5, `only ${failing} of ${MUTANTS} mutants had errors`);
  },
});

Deno.test({
  name: "fuzz: mutants through the CLI exit 0 or 1 with a report",
  ignore: !HAVE_CORPUS,
  async fn() {
    const files = corpusFiles().map((p) => Deno.readTextFileSync(p));
    const r = rng(SEED + 1);
    const dir = await Deno.makeTempDir({ prefix: "tradewatch-lint-fuzz-" });
    try {
      const paths: string[] = [];
      for (let k = 0; k < 6; k++) {
        const p = join(dir, `m${k}.yml`);
        await Deno.writeTextFile(p, mutate(files[(k * 7) % files.length], r));
        paths.push(p);
      }
      for (const p of paths) {
        const out = await new Deno.Command(Deno.execPath(), {
          args: [
            "run",
            "--allow-all",
            join(REPO, "main.ts"),
            "--lint-rules",
            "--prometheus",
            "2",
            p,
          ],
          stdout: "piped",
          stderr: "piped",
        }).output();
        assert.ok(
          out.code === 0 || out.code === 1,
          `exit ${out.code} on ${Deno.readTextFileSync(p)}`,
        );
        assert.match(new TextDecoder().decode(out.stdout), /1 file, \d+ rules?: /);
      }
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test("fuzz: pathological inputs end with a message", () => {
  const deep = "groups: " + "[".repeat(5000) + "]".repeat(5000) + "\n";
  const parens = "groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: '" +
    "(".repeat(3000) +
    "up" + ")".repeat(3000) + " == 0'\n";
  const template = "groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: up == 0\n" +
    "        annotations:\n          a: '" + "{{ if 1 }}".repeat(2000) + "'\n";
  const binary = "\u0000\u0001\u0002\uffff".repeat(1000);
  // 3,000 nested parentheses are valid PromQL (promtool 2.42 accepts them): no problem at all.
  assert.deepEqual(lintText("p.yml", parens, options()).problems, []);
  for (const text of [deep, template, binary]) {
    const res = lintText("p.yml", text, options());
    assert.ok(res.problems.length > 0, text.slice(0, 80));
    for (const p of res.problems) {
      assert.ok(p.message.length > 0);
      assert.notEqual(p.check, "internal", p.message);
    }
  }
});

Deno.test({
  name: "fuzz: the group-by-group fast path gives the same problems as parsing the whole file",
  ignore: !HAVE_CORPUS,
  async fn() {
    const files = corpusFiles().map((p) => Deno.readTextFileSync(p));
    const catalog = await serviceCatalog();
    const r = rng(SEED + 2);
    let chunked = 0;
    const texts = [
      ...files,
      ...Array.from({ length: 2000 }, (_, k) => mutate(files[k % files.length], r)),
    ];
    for (const [k, text] of texts.entries()) {
      const opts = options({ prometheus: k % 2 ? 2 : 3, catalog });
      const fast = lintText("f.yml", text, opts);
      const whole = lintText("f.yml", text, opts, true);
      assert.deepEqual(fast, whole, `text ${k}:\n${text}`);
      if (splitGroups(text)) chunked++;
    }
    assert.ok(chunked > texts.length / 3, `the fast path applied to ${chunked} of ${texts.length}`);
  },
});
