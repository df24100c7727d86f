/**
 * Every mode's `--help`, as `deno task start` runs it: it fits 100 columns, and its duration
 * defaults read as a user types them (`1s`, not `1000ms`).
 *
 * @module
 */
import assert from "node:assert/strict";
import { HELP_WIDTH } from "../../src/cli/mod.ts";
import { runMain } from "../support/service.ts";

const MODES: string[][] = [
  ["--help"],
  ["--loadgen", "--help"],
  ["--loadgen", "--game-day", "all", "--help"],
  ["--lint-rules", "--help"],
  ["--healthcheck", "--help"],
];

const help = new Map<string, Promise<string>>();
function helpOf(args: string[]): Promise<string> {
  const key = args.join(" ");
  if (!help.has(key)) {
    help.set(
      key,
      runMain(args).then((r) => {
        assert.equal(r.code, 0, `${key}: ${r.stderr}`);
        return r.stdout;
      }),
    );
  }
  return help.get(key)!;
}

for (const args of MODES) {
  Deno.test(`${args.join(" ")}: every line fits ${HELP_WIDTH} columns`, async () => {
    const text = await helpOf(args);
    assert.ok(text.split("\n").length > 5, text);
    const wide = text.split("\n").filter((l) => [...l].length > HELP_WIDTH);
    assert.deepEqual(wide, [], `lines wider than ${HELP_WIDTH} columns`);
  });
}

Deno.test("--help: duration defaults as a user types them", async () => {
  const text = await helpOf(["--help"]);
  for (
    const [flag, shown] of [
      ["--venue-latency DURATION", "2ms"],
      ["--tick-interval DURATION", "250ms"],
      ["--var-interval DURATION", "1s"],
      ["--stale-after DURATION", "5s"],
      ["--body-timeout DURATION", "10s"],
      ["--idle-timeout DURATION", "0s"],
      ["--shutdown-timeout DURATION", "10s"],
    ]
  ) {
    assert.match(text, new RegExp(`^  ${flag}\\s+TRADEWATCH_\\w+\\s+${shown}$`, "m"), flag);
  }
  for (const args of MODES) {
    assert.doesNotMatch(await helpOf(args), /\b\d*000ms\b/, args.join(" "));
  }
});

Deno.test("--help of the other modes: duration defaults as a user types them", async () => {
  const loadgen = await helpOf(["--loadgen", "--help"]);
  assert.match(loadgen, /--timeout D .*\(default 10s\)/);
  assert.match(loadgen, /--progress-interval D progress period \(default 1s\)/);
  assert.match(loadgen, /counts as late \(1ms\)/);
  assert.match(await helpOf(["--healthcheck", "--help"]), /\(default 3s\)/);
  assert.match(await helpOf(["--lint-rules", "--help"]), /if present, else 10s\)/);
});
