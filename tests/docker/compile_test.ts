/**
 * The packaging step of `deno task compile`, checked offline: `deno compile` always downloads
 * `denort` for the target, which this CI cannot reach, so DENORT_BIN=/bin/true stands in for it.
 * Everything else (module graph, type check, npm packages, the bintrees exclusion, embedding) is
 * the real step with the task's own flags; the resulting file is not runnable.
 */
import assert from "node:assert/strict";

const ROOT = new URL("../../", import.meta.url).pathname;
const BINTREES_TEST = "node_modules/.deno/bintrees@1.0.2/node_modules/bintrees/test";

/** The `compile` task's arguments from deno.json, with `--output` pointed at `output`. */
async function compileTaskArgs(output: string): Promise<string[]> {
  const denoJson = JSON.parse(await Deno.readTextFile(`${ROOT}deno.json`));
  const task: string = typeof denoJson.tasks.compile === "string"
    ? denoJson.tasks.compile
    : denoJson.tasks.compile.command;
  const words = task.trim().split(/\s+/);
  assert.deepEqual(words.slice(0, 2), ["deno", "compile"], `unexpected compile task: ${task}`);
  const args = words.slice(1);
  const at = args.indexOf("--output");
  assert.ok(at > 0, "the compile task names its --output");
  args[at + 1] = output;
  return args;
}

Deno.test("deno task compile's packaging step succeeds offline (DENORT_BIN=/bin/true)", async () => {
  const dir = await Deno.makeTempDir({ prefix: "tw-compile-" });
  try {
    const output = `${dir}/tradewatch`;
    const args = await compileTaskArgs(output);
    assert.ok(
      args.includes("--exclude") && args.includes(BINTREES_TEST),
      "the compile task excludes bintrees' test data (deno compile overflows its stack on it)",
    );
    // The exclusion must name a directory that exists, or it has silently gone stale (for example
    // after a prom-client upgrade moved bintrees).
    assert.ok((await Deno.stat(`${ROOT}${BINTREES_TEST}`)).isDirectory, `${BINTREES_TEST} exists`);

    const res = await new Deno.Command(Deno.execPath(), {
      args,
      cwd: ROOT,
      env: { DENORT_BIN: "/bin/true", NO_COLOR: "1" },
      stdout: "piped",
      stderr: "piped",
    }).output();
    const log = new TextDecoder().decode(res.stdout) + new TextDecoder().decode(res.stderr);
    assert.equal(res.code, 0, `deno compile failed:\n${log}`);

    // The embedded-files report names the entry point and never the excluded test data.
    assert.match(log, /Embedded Files/);
    assert.match(log, /main\.ts/);
    // deno compile does not follow `new Worker(new URL(...))`: the task must --include it.
    assert.match(log, /checkpoint_worker\.ts/, "the store's checkpoint worker is embedded");
    assert.doesNotMatch(log, /bintrees\/test|perf\/100k/);

    // The output is /bin/true with the program appended: the payload marker and our source.
    const bin = await Deno.readFile(output);
    const trueSize = (await Deno.stat("/bin/true")).size;
    assert.ok(bin.length > trueSize + 10_000, `output has a payload (${bin.length} bytes)`);
    const text = new TextDecoder("latin1").decode(bin);
    assert.ok(text.includes("d3n0l4nd"), "the standalone payload section is present");
    assert.ok(text.includes("--healthcheck"), "main.ts is embedded");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
