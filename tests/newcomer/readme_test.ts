/**
 * The newcomer test: a person with only Deno and this repository pastes the README's quick start
 * and gets what it shows. The commands and their expected output are read from README.md itself
 * (the `console` blocks between `<!-- newcomer:start -->` and `<!-- newcomer:end -->`), so the
 * README cannot drift from what the program does.
 *
 * How it runs them, as a new user would:
 * - a copy of the checkout's files (what git tracks, plus new files it does not ignore), a clean
 *   `HOME` and a clean `DENO_DIR`, so nothing installed or cached on this machine helps;
 * - `deno task install` as written (it downloads the npm packages, so it has the network);
 * - every later command inside a private network namespace that has only a loopback interface:
 *   the installed `tradewatch` must work offline, and `localhost:8000` is the namespace's own, so
 *   the README's port is used as written while other tests run in parallel;
 * - the first serve-mode command (`tradewatch` with no mode flag) runs in the background, as in a
 *   second terminal; a `^C` line in a block stops it with SIGINT and must end it with exit 0;
 * - every other command must exit 0 and print what the README shows.
 *
 * Expected output: each line must match one line of output, in order. `…` in a line stands for
 * any text; a line of just `...` stands for any number of lines. Trailing white space is ignored.
 *
 * @module
 */

import assert from "node:assert/strict";
import { dirname, join } from "node:path";
import { ROOT } from "../support/service.ts";

/** One command of the quick start and the output the README shows for it. */
interface Step {
  /** The shell command (after `$ `), or `^C` for "stop the background service". */
  command: string;
  expected: string[];
}

/** The `console` blocks of README's newcomer section, as steps. */
export function readmeSteps(readme: string): Step[] {
  const section = readme.match(/<!-- newcomer:start -->([\s\S]*?)<!-- newcomer:end -->/);
  if (!section) throw new Error("README.md has no <!-- newcomer:start --> … end section");
  const steps: Step[] = [];
  for (const block of section[1].matchAll(/^```console\n([\s\S]*?)^```$/gm)) {
    for (const line of block[1].split("\n")) {
      if (line.startsWith("$ ")) steps.push({ command: line.slice(2).trim(), expected: [] });
      else if (line.trim() === "^C") steps.push({ command: "^C", expected: [] });
      else if (steps.length) steps[steps.length - 1].expected.push(line);
    }
  }
  for (const s of steps) {
    while (s.expected.length && s.expected.at(-1)!.trim() === "") s.expected.pop();
  }
  return steps;
}

function linePattern(pattern: string): RegExp {
  const parts = pattern.trimEnd().split("…").map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));
  return new RegExp(`^${parts.join(".*")}$`);
}

/** Whether `actual` lines match the `expected` pattern lines (`…` and `...` as described above). */
export function outputMatches(expected: string[], actual: string[]): boolean {
  const pats = expected.map((e) => (e.trim() === "..." ? null : linePattern(e)));
  const lines = actual.map((l) => l.trimEnd());
  // memo[i][j]: pats from i match lines from j
  const memo = new Map<number, boolean>();
  const go = (i: number, j: number): boolean => {
    if (i === pats.length) return j === lines.length;
    const key = i * (lines.length + 1) + j;
    const hit = memo.get(key);
    if (hit !== undefined) return hit;
    const p = pats[i];
    let ok: boolean;
    if (p === null) {
      ok = false;
      for (let k = j; k <= lines.length && !ok; k++) ok = go(i + 1, k);
    } else {
      ok = j < lines.length && p.test(lines[j]) && go(i + 1, j + 1);
    }
    memo.set(key, ok);
    return ok;
  };
  return go(0, 0);
}

/** Whether a command runs the service (no mode, version or help flag). */
function isServe(command: string): boolean {
  return /^tradewatch(\s|$)/.test(command) &&
    !/\s--(loadgen|lint-rules|healthcheck|version|help)\b|\s-[Vh]\b/.test(command);
}

const decoder = new TextDecoder();

async function copyCheckout(to: string): Promise<void> {
  const ls = await new Deno.Command("git", {
    args: ["ls-files", "-z", "--cached", "--others", "--exclude-standard"],
    cwd: ROOT,
    stdout: "piped",
  }).output();
  assert.ok(ls.success, "git ls-files failed");
  for (const file of decoder.decode(ls.stdout).split("\0").filter(Boolean)) {
    try {
      await Deno.mkdir(join(to, dirname(file)), { recursive: true });
      await Deno.copyFile(join(ROOT, file), join(to, file));
    } catch (e) {
      if (!(e instanceof Deno.errors.NotFound)) throw e; // deleted in the work tree
    }
  }
}

async function netnsAvailable(name: string): Promise<boolean> {
  try {
    const add = await new Deno.Command("ip", { args: ["netns", "add", name], stderr: "null" })
      .output();
    if (!add.success) return false;
    const up = await new Deno.Command("ip", {
      args: ["netns", "exec", name, "ip", "link", "set", "lo", "up"],
    }).output();
    return up.success;
  } catch {
    return false;
  }
}

const NETNS = `tw-newcomer-${Deno.pid}`;
const HAVE_NETNS = Deno.build.os === "linux" && await netnsAvailable(NETNS);
if (!HAVE_NETNS) {
  console.warn(
    "SKIP tests/newcomer: needs root for a private network namespace (ip netns add); " +
      "the quick start is not checked on this machine",
  );
}

Deno.test("README: the newcomer patterns (… and ...) match as documented", () => {
  assert.ok(outputMatches(["a…c", "...", "z"], ["abc", "x", "y", "z"]));
  assert.ok(outputMatches(["...", "z"], ["z"]));
  assert.ok(!outputMatches(["a…c"], ["abd"]));
  assert.ok(!outputMatches(["a", "b"], ["a", "x", "b"]));
  assert.ok(!outputMatches(["a"], ["a", "extra"]));
  assert.ok(outputMatches(["x.y (z)"], ["x.y (z)  "]));
  assert.ok(!outputMatches(["x.y"], ["xzy"]));
});

Deno.test({
  name: "README: the quick start works as written for a new user (clean HOME, offline)",
  ignore: !HAVE_NETNS,
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const tmp = await Deno.makeTempDir({ prefix: "tw-newcomer-" });
    const repo = join(tmp, "tradewatch");
    const home = join(tmp, "home");
    await Deno.mkdir(home);
    let service: Deno.ChildProcess | null = null;
    try {
      await copyCheckout(repo);
      const steps = readmeSteps(await Deno.readTextFile(join(repo, "README.md")));
      assert.ok(steps.length >= 6, `too few quick-start commands: ${steps.length}`);
      const env: Record<string, string> = {
        HOME: home,
        DENO_DIR: join(tmp, "deno_dir"),
        PATH: `${join(home, ".deno", "bin")}:${dirname(Deno.execPath())}:/usr/bin:/bin`,
        NO_COLOR: "1",
        LANG: "C.UTF-8",
      };
      for (const k of ["NODE_EXTRA_CA_CERTS", "DENO_CERT", "HTTPS_PROXY", "HTTP_PROXY"]) {
        const v = Deno.env.get(k);
        if (v) env[k] = v;
      }
      let installed = false;
      let serviceOut = { text: "" };
      const serviceExpected: string[] = [];
      for (const step of steps) {
        if (step.command === "^C") {
          assert.ok(service, "^C without a running service");
          service.kill("SIGINT");
          const status: Deno.CommandStatus | null = await Promise.race([
            service.status,
            new Promise<null>((r) => setTimeout(() => r(null), 15_000)),
          ]);
          assert.ok(status, "the service did not stop within 15 s of ^C");
          assert.equal(status.code, 0, `the service exited ${status.code} after ^C`);
          serviceExpected.push("...", ...step.expected);
          service = null;
          continue;
        }
        // Before `deno task install`, commands run with the network (it downloads the npm
        // packages); after it, in the offline namespace.
        const argv: string[] = installed
          ? ["ip", "netns", "exec", NETNS, "sh", "-c", step.command]
          : ["sh", "-c", step.command];
        if (installed && isServe(step.command) && service === null && !serviceExpected.length) {
          const cmd = ["ip", "netns", "exec", NETNS, "sh", "-c", `exec ${step.command}`];
          service = new Deno.Command(cmd[0], {
            args: cmd.slice(1),
            cwd: repo,
            env,
            clearEnv: true,
            stdout: "piped",
            stderr: "piped",
          }).spawn();
          serviceOut = { text: "" };
          const sink = serviceOut;
          for (const stream of [service.stdout, service.stderr]) {
            (async () => {
              for await (const c of stream) sink.text += decoder.decode(c, { stream: true });
            })().catch(() => {});
          }
          serviceExpected.push(...step.expected);
          // Wait until its first expected lines (the listening line) are there.
          const deadline = Date.now() + 60_000;
          const want = [...step.expected, "..."];
          while (!outputMatches(want, sink.text.split("\n"))) {
            if (Date.now() > deadline) {
              throw new Error(`'${step.command}' did not print what README shows:\n${sink.text}`);
            }
            await new Promise((r) => setTimeout(r, 100));
          }
          continue;
        }
        const out: Deno.CommandOutput = await new Deno.Command(argv[0], {
          args: argv.slice(1),
          cwd: repo,
          env,
          clearEnv: true,
          stdout: "piped",
          stderr: "piped",
          signal: AbortSignal.timeout(120_000),
        }).output();
        const text = decoder.decode(out.stdout) + decoder.decode(out.stderr);
        assert.equal(out.code, 0, `'${step.command}' exited ${out.code}:\n${text}`);
        const lines = text.replace(/\n$/, "").split("\n");
        assert.ok(
          outputMatches(step.expected, text === "" ? [] : lines),
          `'${step.command}' printed:\n${text}\nREADME shows:\n${step.expected.join("\n")}`,
        );
        if (/^deno task (-q )?install\b/.test(step.command)) installed = true;
      }
      assert.ok(installed, "the quick start never runs deno task install");
      assert.equal(service, null, "the quick start never stops the service (^C)");
      const lines = serviceOut.text.replace(/\n$/, "").split("\n");
      assert.ok(
        outputMatches(serviceExpected, lines),
        `the service printed:\n${serviceOut.text}\nREADME shows:\n${serviceExpected.join("\n")}`,
      );
    } finally {
      if (service) {
        try {
          service.kill("SIGKILL");
          await service.status;
        } catch { /* gone */ }
      }
      await Deno.remove(tmp, { recursive: true }).catch(() => {});
    }
  },
});

globalThis.addEventListener("unload", () => {
  if (HAVE_NETNS) new Deno.Command("ip", { args: ["netns", "del", NETNS] }).outputSync();
});
