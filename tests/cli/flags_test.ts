import assert from "node:assert/strict";
import {
  durationFlag,
  durationText,
  flagHelp,
  type FlagSpec,
  numberFlag,
  parseDuration,
  parseFlags,
  readEnv,
  toBool,
  UsageError,
} from "../../src/cli/mod.ts";

const FLAGS: FlagSpec[] = [
  { name: "rate", value: "N", env: "RATE", help: "requests per second" },
  { name: "header", short: "H", value: "K:V", multiple: true, help: "extra header" },
  { name: "quiet", short: "q", help: "no progress" },
];

Deno.test("parseFlags: values in a Map, repeated flags, short aliases, positionals", () => {
  const p = parseFlags(["--rate=5", "-H", "a:1", "--header", "b:2", "-q", "file.yml"], FLAGS, {
    positionals: true,
  });
  assert.deepEqual([...p.values], [["rate", "5"], ["header", ["a:1", "b:2"]], ["quiet", true]]);
  assert.deepEqual(p.positionals, ["file.yml"]);
  assert.equal(parseFlags([], FLAGS).values.size, 0);
});

Deno.test("parseFlags: every misuse is a UsageError with the flag's name", () => {
  const cases: [string[], RegExp][] = [
    [["--bogus"], /^Unknown flag --bogus/],
    [["--rate"], /^Flag --rate needs a value/],
    [["--quiet=yes"], /^Flag --quiet takes no value/],
    [["stray"], /^Unexpected argument "stray"/],
    [["--constructor"], /^Unknown flag --constructor/],
    [["--toString"], /^Unknown flag --toString/],
  ];
  for (const [args, message] of cases) {
    assert.throws(() => parseFlags(args, FLAGS), (e: unknown) => {
      assert.ok(e instanceof UsageError, args.join(" "));
      assert.match(e.message, message);
      return true;
    });
  }
  // A value that is a property name stays a value.
  assert.equal(parseFlags(["--rate", "constructor"], FLAGS).values.get("rate"), "constructor");
});

Deno.test("readEnv: the flags' variables, empty ones unset", () => {
  const env: Record<string, string> = { RATE: "7", OTHER: "x" };
  assert.deepEqual([...readEnv(FLAGS, (k) => env[k])], [["rate", "7"]]);
  assert.equal(readEnv(FLAGS, () => "").size, 0);
});

Deno.test("converters: numbers, durations and booleans with one wording of errors", () => {
  assert.equal(numberFlag("--rate", "5e2", { gt: 0 }), 500);
  assert.throws(
    () => numberFlag("--rate", "0", { gt: 0 }),
    /Invalid --rate "0": expected a number > 0$/,
  );
  assert.throws(
    () => numberFlag("--n", "1.5", { min: 1, max: 9, int: true }),
    /an integer from 1 to 9/,
  );
  assert.equal(durationFlag("--d", "1m30s", "s"), 90_000);
  assert.equal(durationFlag("--d", "250", "ms"), 250);
  assert.equal(durationFlag("--d", "2", "s"), 2000);
  assert.throws(() => durationFlag("--d", "2 s", "s"), /Invalid --d "2 s": expected a duration/);
  assert.throws(() => durationFlag("--d", "0s", "s", { gt: 0 }), UsageError);
  assert.deepEqual(["1", "TRUE", "on", "0", "no", "", "maybe"].map(toBool), [
    true,
    true,
    true,
    false,
    false,
    false,
    undefined,
  ]);
});

Deno.test("flagHelp: aligned columns, environment and default only when present", () => {
  const text = flagHelp(FLAGS.map((spec) => ({ spec, default: spec.name === "rate" ? "10" : "" })));
  assert.deepEqual(text.split("\n"), [
    "  --rate N          RATE  10  requests per second",
    "  -H, --header K:V            extra header",
    "  -q, --quiet                 no progress",
  ]);
});

Deno.test("durationText: the shortest form a user types, read back to the same value", () => {
  const cases: [number, string][] = [
    [0, "0s"],
    [0.25, "250us"],
    [1, "1ms"],
    [2, "2ms"],
    [250, "250ms"],
    [999, "999ms"],
    [1000, "1s"],
    [1500, "1s500ms"],
    [5000, "5s"],
    [10_000, "10s"],
    [60_000, "1m"],
    [90_000, "1m30s"],
    [3_600_000, "1h"],
    [3_723_004, "1h2m3s4ms"],
    [86_400_000, "24h"],
    [-1500, "-1s500ms"],
  ];
  for (const [ms, text] of cases) {
    assert.equal(durationText(ms), text, `${ms} ms`);
    if (ms >= 0) assert.equal(parseDuration(text), ms, text);
  }
});
