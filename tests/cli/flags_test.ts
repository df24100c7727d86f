import assert from "node:assert/strict";
import {
  durationFlag,
  durationText,
  flagHelp,
  type FlagSpec,
  hang,
  type HelpRow,
  numberFlag,
  parseDuration,
  parseFlags,
  readEnv,
  toBool,
  UsageError,
  wrapWords,
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
  const specs: FlagSpec[] = [...FLAGS.slice(0, 2), { ...FLAGS[2], env: "QUIET" }];
  const text = flagHelp(specs.map((spec) => ({ spec, default: spec.name === "rate" ? "10" : "" })));
  assert.deepEqual(text.split("\n"), [
    "  --rate N          RATE   10  requests per second",
    "  -H, --header K:V             extra header",
    "  -q, --quiet       QUIET      no progress",
  ]);
  // A variable of fewer than half the flags ends their help instead of making a column.
  assert.deepEqual(flagHelp(FLAGS.map((spec) => ({ spec }))).split("\n"), [
    "  --rate N          requests per second (variable RATE)",
    "  -H, --header K:V  extra header",
    "  -q, --quiet       no progress",
  ]);
});

const LONG_HELP =
  "one two three four five six seven eight nine ten eleven twelve thirteen fourteen";

Deno.test("flagHelp: the help column wraps within the width, with a hanging indent", () => {
  const rows = [
    { spec: { name: "rate", value: "N", help: LONG_HELP } },
    { spec: { name: "quiet", short: "q", help: "no progress" } },
  ];
  assert.deepEqual(flagHelp(rows, 60).split("\n"), [
    "  --rate N     one two three four five six seven eight nine",
    "               ten eleven twelve thirteen fourteen",
    "  -q, --quiet  no progress",
  ]);
  assert.deepEqual(flagHelp(rows, 40).split("\n"), [
    "  --rate N",
    "      one two three four five six seven",
    "      eight nine ten eleven twelve",
    "      thirteen fourteen",
    "  -q, --quiet",
    "      no progress",
  ], "a help column narrower than 36 goes below each flag");
});

Deno.test("flagHelp: wide flag, variable and default columns put the help below each flag", () => {
  const rows: HelpRow[] = [
    {
      spec: {
        name: "native-histogram-bucket-factor",
        value: "F",
        env: "A_VERY_LONG_VARIABLE_NAME_INDEED_1",
        help: LONG_HELP,
      },
      default: "1.1",
    },
    { spec: { name: "port", value: "N", env: "PORT", help: "TCP port" }, default: "8000" },
    {
      spec: { name: "symbols", value: "A,B", env: "SYMBOLS", help: "universe" },
      default: "AAPL,GOOGL,MSFT,AMZN,TSLA",
    },
  ];
  const lines = flagHelp(rows).split("\n");
  assert.deepEqual(lines, [
    "  --native-histogram-bucket-factor F  A_VERY_LONG_VARIABLE_NAME_INDEED_1  1.1",
    "      one two three four five six seven eight nine ten eleven twelve thirteen fourteen",
    "  --port N                      PORT                            8000",
    "      TCP port",
    "  --symbols A,B                 SYMBOLS                         AAPL,GOOGL,MSFT,AMZN,TSLA",
    "      universe",
  ]);
  assert.equal(
    flagHelp([{ ...rows[0], spec: { ...rows[0].spec, help: `${LONG_HELP} ${LONG_HELP}` } }])
      .split("\n").length,
    3,
    "the help below a flag wraps too",
  );
});

Deno.test("wrapWords and hang: break between words only, a longer word stays whole", () => {
  const cases: [string, number, string[]][] = [
    ["", 10, [""]],
    ["a b c", 10, ["a b c"]],
    ["aaa bbb ccc", 7, ["aaa bbb", "ccc"]],
    ["  aaa   bbb  ", 3, ["aaa", "bbb"]],
    ["postgres://user@host:port/db x", 10, ["postgres://user@host:port/db", "x"]],
  ];
  for (const [text, width, lines] of cases) {
    assert.deepEqual(wrapWords(text, width), lines, `${JSON.stringify(text)} in ${width}`);
  }
  assert.equal(hang("  name", "aaa bbb ccc", 8, 15), "  name  aaa bbb\n        ccc");
  assert.equal(hang("  longname", "aaa", 8, 15), "  longname\n        aaa");
  assert.equal(hang("  name", "", 8, 15), "  name");
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
