/**
 * The CLI, as a process: exit codes (0 clean, 1 errors, 2 usage/unreadable), the three output
 * formats, standard input, --fatal-warnings, --catalog none, --config.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { REPO } from "./helpers.ts";
import { SHIPPED_V8_FLAGS } from "../../bench/shipped.ts";

const MAIN = join(REPO, "main.ts");

async function cli(
  args: string[],
  stdin?: string,
): Promise<{ code: number; out: string; err: string }> {
  const child = new Deno.Command(Deno.execPath(), {
    // The flags of `deno task start`, as users run it.
    args: [
      "run",
      ...SHIPPED_V8_FLAGS,
      "--allow-net",
      "--allow-read",
      "--allow-write",
      "--allow-env",
      "--allow-sys",
      "--allow-run",
      MAIN,
      "--lint-rules",
      ...args,
    ],
    cwd: REPO,
    stdin: stdin === undefined ? "null" : "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  if (stdin !== undefined) {
    const w = child.stdin.getWriter();
    await w.write(new TextEncoder().encode(stdin));
    await w.close();
  }
  const { code, stdout, stderr } = await child.output();
  const dec = new TextDecoder();
  return { code, out: dec.decode(stdout), err: dec.decode(stderr) };
}

const CLEAN =
  "groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: up == 0\n        for: 1m\n";
const BROKEN =
  "groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: rate(order_count_total) > 1\n        for: 1.5m\n";
const WARN = CLEAN + "      - alert: A\n        expr: up == 0\n        for: 1m\n";

let dir = "";
async function file(name: string, text: string): Promise<string> {
  dir ||= await Deno.makeTempDir({ prefix: "tradewatch-lint-cli-" });
  const p = join(dir, name);
  await Deno.writeTextFile(p, text);
  return p;
}

Deno.test("cli: exit 0 on a clean file, 1 with every error positioned, 2 on usage errors", async () => {
  try {
    const clean = await cli([await file("clean.yml", CLEAN)]);
    assert.equal(clean.code, 0, clean.out + clean.err);
    assert.match(clean.out, /clean\.yml: ok, 1 rule/);

    const broken = await cli([await file("broken.yml", BROKEN)]);
    assert.equal(broken.code, 1);
    assert.match(
      broken.out,
      /broken\.yml:5:20: error: could not parse expression: expected type range vector/,
    );
    assert.match(
      broken.out,
      /broken\.yml:6:14: error: for: not a valid duration string: "1\.5m" \[rule\/duration\]\n {4}1\.5m/,
    );

    const usage = await cli(["--format", "xml", await file("clean.yml", CLEAN)]);
    assert.equal(usage.code, 2);
    assert.match(usage.err, /--format must be one of text, json, github, got "xml"/);
    assert.equal((await cli(["--bogus"])).code, 2);
    assert.equal((await cli([])).code, 2, "no files");
    const missing = await cli([join(dir, "nope.yml"), await file("clean.yml", CLEAN)]);
    assert.equal(missing.code, 2, "an unreadable file wins over a clean one");
    assert.match(missing.err, /cannot read .*nope\.yml/);
    assert.match(missing.out, /clean\.yml: ok/, "the readable files are still linted");
    const badConfig = await cli([
      "--config",
      join(dir, "none.yml"),
      await file("clean.yml", CLEAN),
    ]);
    assert.equal(badConfig.code, 2);
    const latin1 = join(dir, "latin1.yml");
    await Deno.writeFile(
      latin1,
      new Uint8Array([...new TextEncoder().encode(CLEAN), 0x23, 0xff, 0x0a]),
    );
    const notUtf8 = await cli([latin1]);
    assert.equal(notUtf8.code, 1, "not UTF-8, as promtool");
    assert.match(notUtf8.out, /latin1\.yml:7:2: error: yaml: the file is not valid UTF-8/);
    const help = await cli(["--help"]);
    assert.equal(help.code, 0);
    assert.match(help.out, /--prometheus 2\|3/);
  } finally {
    if (dir) await Deno.remove(dir, { recursive: true });
    dir = "";
  }
});

Deno.test("cli: json and github formats, stdin, --fatal-warnings, --catalog none", async () => {
  try {
    const json = await cli(["--format", "json", "--prometheus", "2", await file("b.yml", BROKEN)]);
    assert.equal(json.code, 1);
    const doc = JSON.parse(json.out);
    assert.equal(doc.summary.errors, 2);
    assert.deepEqual(
      doc.files[0].problems.map((
        p: { line: number; col: number; check: string },
      ) => [p.line, p.col, p.check]),
      [[5, 20, "promql/syntax"], [6, 14, "rule/duration"]],
    );

    const gh = await cli(["--format", "github", "-"], BROKEN);
    assert.equal(gh.code, 1);
    assert.match(
      gh.out,
      /^::error file=<stdin>,line=5,col=20,title=promql\/syntax::could not parse expression: /m,
    );
    assert.match(gh.out, /%0Aorder_count_total/, "the offending text follows, newline-escaped");

    const warn = await file("w.yml", WARN);
    assert.equal((await cli([warn])).code, 0, "warnings alone pass");
    const fatal = await cli(["--fatal-warnings", warn]);
    assert.equal(fatal.code, 1);
    assert.match(fatal.out, /warning: duplicate rule "A"/);

    const typo = await file("t.yml", CLEAN.replace("up == 0", 'order_count_total{side="buy"} > 0'));
    assert.equal((await cli([typo])).code, 1, "an impossible label value is an error");
    const none = await cli(["--catalog", "none", typo]);
    assert.equal(none.code, 0, none.out);
  } finally {
    if (dir) await Deno.remove(dir, { recursive: true });
    dir = "";
  }
});

Deno.test("cli: quoted input is escaped and cut in text output; '-' twice is a usage error; typos fail with --fatal-warnings", async () => {
  try {
    const long = "x-".repeat(100);
    const evil = await file(
      "e.yml",
      CLEAN + '        labels:\n          "a\\x1b[31mb\\nFAKE.yml:1:1: error: forged": x\n' +
        `          "${long}": y\n`,
    );
    const r = await cli(["--prometheus", "2", "--catalog", "none", evil]);
    assert.equal(r.code, 1);
    // deno-lint-ignore no-control-regex
    assert.doesNotMatch(r.out, /[\x00-\x08\x0b-\x1f\x7f]/, "no raw control character");
    assert.ok(!r.out.split("\n").some((l) => l.startsWith("FAKE.yml")), "no forged line");
    assert.match(r.out, /invalid label name: a\\x1b\[31mb\\nFAKE/);
    assert.ok(r.out.split("\n").every((l) => l.length < 300), "long tokens are cut");
    assert.match(r.out, /x-x…x-x/);

    const twice = await cli(["-", "-"], CLEAN);
    assert.equal(twice.code, 2);
    assert.match(twice.err, /'-' \(standard input\) given more than once/);

    const typo = await file("typo.yml", CLEAN.replace("up == 0", "order_count_totl > 0"));
    const plain = await cli([typo]);
    assert.equal(plain.code, 0);
    assert.match(
      plain.out,
      /warning: metric "order_count_totl" does not exist; did you mean "order_count_total"\?/,
    );
    assert.equal((await cli(["--fatal-warnings", typo])).code, 1, "a misspelt metric fails CI");
  } finally {
    if (dir) await Deno.remove(dir, { recursive: true });
    dir = "";
  }
});
