/**
 * The Dockerfile, statically: dockerfile-utils' linter (the engine behind the VS Code Docker
 * extension) finds nothing, and the invariants the images depend on hold (pinned Deno equal to
 * CI's, stage order for the classic builder, the same permissions as `deno task start`, the
 * compile flags taken from deno.json, a non-root distroless final stage that probes itself).
 * The container test builds and runs it for real.
 */
import assert from "node:assert/strict";
import { validate } from "dockerfile-utils";

const ROOT = new URL("../../", import.meta.url).pathname;
const dockerfile = await Deno.readTextFile(`${ROOT}Dockerfile`);

interface Instruction {
  keyword: string;
  args: string;
  line: number;
}

/** Instructions of a Dockerfile: comments dropped, `\` continuations joined. */
function instructions(text: string): Instruction[] {
  const out: Instruction[] = [];
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const first = i;
    let line = lines[i];
    if (/^\s*(#|$)/.test(line)) continue;
    while (line.trimEnd().endsWith("\\") && i + 1 < lines.length) {
      line = line.trimEnd().slice(0, -1) + " " + lines[++i].trim();
    }
    const m = /^\s*([A-Za-z]+)\s+(.*)$/.exec(line);
    if (m) out.push({ keyword: m[1].toUpperCase(), args: m[2].trim(), line: first + 1 });
  }
  return out;
}

/** Stages in order, each with its instructions. */
function stages(ins: Instruction[]) {
  const result: { name: string; from: string; ins: Instruction[] }[] = [];
  for (const i of ins) {
    if (i.keyword === "FROM") {
      const m = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(i.args);
      assert.ok(m, `FROM at line ${i.line} is well-formed`);
      result.push({ name: m[2] ?? String(result.length), from: m[1], ins: [] });
    } else if (result.length) {
      result[result.length - 1].ins.push(i);
    }
  }
  return result;
}

const ins = instructions(dockerfile);
const all = stages(ins);
const stage = (name: string) => {
  const s = all.find((x) => x.name === name);
  assert.ok(s, `stage ${name} exists`);
  return s;
};
const last = (s: { ins: Instruction[] }, keyword: string) =>
  s.ins.filter((i) => i.keyword === keyword).at(-1);

Deno.test("Dockerfile: dockerfile-utils lint finds nothing", () => {
  const problems = validate(dockerfile).map((d) =>
    `line ${d.range.start.line + 1}: ${d.message} (code ${d.code})`
  );
  assert.deepEqual(problems, []);
  // The linter does report problems (so an empty list above means something).
  assert.ok(validate("FROM x\nEXPOSE abc\n").length > 0);
});

Deno.test("Dockerfile: Deno pinned to CI's version; stages in classic-builder order", async () => {
  const ci = await Deno.readTextFile(`${ROOT}.ci/run`);
  const ciVersion = /deno@(\d+\.\d+\.\d+)/.exec(ci)?.[1];
  assert.ok(ciVersion, ".ci/run pins a Deno version");
  const arg = ins.find((i) => i.keyword === "ARG" && i.args.startsWith("DENO_VERSION="));
  assert.equal(arg?.args, `DENO_VERSION=${ciVersion}`);
  assert.equal(all[0].from, "denoland/deno:${DENO_VERSION}");

  const names = all.map((s) => s.name);
  assert.deepEqual(names, ["deps", "run", "compile", "final"]);
  // `docker build --target run` with the classic builder must not build the compile stage,
  // which needs the denort download.
  assert.ok(names.indexOf("run") < names.indexOf("compile"));
  assert.match(stage("final").from, /^gcr\.io\/distroless\/cc-debian12(:|@)/);
});

Deno.test("Dockerfile: frozen install, run target equals deno task start, compile uses the task", async () => {
  const denoJson = JSON.parse(await Deno.readTextFile(`${ROOT}deno.json`));
  const deps = stage("deps");
  assert.ok(
    deps.ins.some((i) => i.keyword === "RUN" && /deno install --frozen(\s|$)/.test(i.args)),
    "deps runs deno install --frozen",
  );

  const run = stage("run");
  const entry: string[] = JSON.parse(last(run, "ENTRYPOINT")?.args ?? "null");
  assert.deepEqual(entry.slice(0, 2), ["deno", "run"]);
  assert.ok(entry.includes("--cached-only"), "the run target never downloads at start");
  assert.equal(entry.at(-1), "main.ts");
  const allowFlags = (words: string[]) => words.filter((w) => w.startsWith("--allow-")).sort();
  assert.deepEqual(allowFlags(entry), allowFlags(denoJson.tasks.start.split(/\s+/)));
  // The compiled binary carries the same permissions (process metrics need --allow-ffi=libc).
  assert.deepEqual(
    allowFlags(denoJson.tasks.compile.split(/\s+/)),
    allowFlags(denoJson.tasks.start.split(/\s+/)),
  );
  // The V8 flags too (see README, "Speed and memory"), and the compiled binary's.
  const v8Flags = (words: string[]) => words.filter((w) => w.startsWith("--v8-flags"));
  assert.deepEqual(v8Flags(entry), v8Flags(denoJson.tasks.start.split(/\s+/)));
  assert.deepEqual(
    v8Flags(denoJson.tasks.compile.split(/\s+/)),
    v8Flags(denoJson.tasks.start.split(/\s+/)),
  );
  assert.notEqual(last(run, "USER")?.args, "root");

  const compile = stage("compile");
  assert.ok(
    compile.ins.some((i) => i.keyword === "RUN" && /deno task compile/.test(i.args)),
    "the compile stage runs `deno task compile` (its flags live in deno.json only)",
  );
  assert.match(denoJson.tasks.compile, /--exclude node_modules\/\.deno\/bintrees@[^ ]+\/test/);
});

Deno.test("Dockerfile: final stage is non-root, exposes 8000, probes itself without a shell", () => {
  const final = stage("final");
  assert.equal(last(final, "USER")?.args, "65532:65532");
  assert.equal(last(final, "EXPOSE")?.args, "8000");
  const entry = JSON.parse(last(final, "ENTRYPOINT")?.args ?? "null");
  assert.deepEqual(entry, ["/usr/local/bin/tradewatch"]);
  const hc = last(final, "HEALTHCHECK")?.args ?? "";
  const cmd = /\bCMD\s+(\[.*\])$/.exec(hc)?.[1];
  assert.ok(cmd, "HEALTHCHECK uses the exec (JSON) form: distroless has no shell");
  assert.deepEqual(JSON.parse(cmd), ["/usr/local/bin/tradewatch", "--healthcheck"]);
  const env = final.ins.filter((i) => i.keyword === "ENV").map((i) => i.args).join(" ");
  assert.match(env, /TRADEWATCH_DB=\/data\//);
  assert.match(last(final, "VOLUME")?.args ?? "", /"\/data"/);
});

Deno.test(".dockerignore: an allow-list that never sends node_modules or data", async () => {
  const lines = (await Deno.readTextFile(`${ROOT}.dockerignore`)).split("\n")
    .map((l) => l.trim()).filter((l) => l && !l.startsWith("#"));
  assert.equal(lines[0], "*", "everything is excluded first");
  const allowed = lines.filter((l) => l.startsWith("!")).map((l) => l.slice(1));
  assert.ok(allowed.includes("deno.json") && allowed.includes("deno.lock"));
  assert.ok(!allowed.some((a) => /node_modules|data|dist/.test(a)));
});
