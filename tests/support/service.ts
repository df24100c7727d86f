/**
 * Shared test support: the real tradewatch started as a child process (`deno run main.ts`), for
 * every area's tests.
 *
 * @module
 */

import { type CommandResult, runCommand } from "./command.ts";

/** The repository root. */
export const ROOT: string = new URL("../..", import.meta.url).pathname;

/**
 * The `deno run` flags of `deno task start`, read from deno.json (V8 flags and permissions), so
 * that tests run the service with exactly the permissions users give it, never `--allow-all`.
 */
export const START_FLAGS: readonly string[] = startFlags(
  JSON.parse(Deno.readTextFileSync(`${ROOT}deno.json`)).tasks.start,
);

/** The words of a `deno run FLAGS main.ts` task between `run` and `main.ts`. */
export function startFlags(task: string): string[] {
  const words = task.trim().split(/\s+/);
  const run = words.indexOf("run");
  const entry = words.indexOf("main.ts");
  if (words[0] !== "deno" || run !== 1 || entry < run) {
    throw new Error(`deno.json's start task is not "deno run FLAGS main.ts": ${task}`);
  }
  const flags = words.slice(run + 1, entry);
  if (flags.some((f) => f === "-A" || f === "--allow-all")) {
    throw new Error("deno.json's start task grants every permission");
  }
  return flags;
}

/** `deno run` arguments that start main.ts as `deno task start` does, followed by `args`. */
export function startArgs(args: readonly string[]): string[] {
  return ["run", ...START_FLAGS, `${ROOT}main.ts`, ...args];
}

/** A tradewatch child process. */
export interface Child {
  proc: Deno.ChildProcess;
  port: number;
  base: string;
  /** Everything written to stdout and stderr so far. */
  output(): string;
  /** Send a signal (default SIGKILL) and wait for the exit status. */
  stop(signal?: Deno.Signal): Promise<Deno.CommandStatus>;
}

/** Options of {@link startChild}. */
export interface StartOptions {
  /** How long to wait for the `listening` line (default 30 s). */
  timeoutMs?: number;
  /** Extra environment variables. */
  env?: Record<string, string>;
  /** Shell commands run before tradewatch replaces the shell (e.g. `ulimit -n 64`). */
  shell?: string;
}

/** Collects a stream's text in the background until it ends. */
function collect(stream: ReadableStream<Uint8Array>, sink: { text: string }): Promise<void> {
  return (async () => {
    const decoder = new TextDecoder();
    for await (const chunk of stream) {
      if (sink.text.length < 4_000_000) sink.text += decoder.decode(chunk, { stream: true });
    }
  })().catch(() => {});
}

/** Run `deno run START_FLAGS main.ts ARGS` and wait for it to exit (for config errors, --help). */
export function runMain(
  args: string[],
  env: Record<string, string> = {},
): Promise<CommandResult> {
  return runCommand(Deno.execPath(), startArgs(args), { cwd: ROOT, env });
}

/**
 * Start `deno run START_FLAGS main.ts --host 127.0.0.1 --port 0 ARGS` and wait for its `listening` line.
 * Always call `stop()` in `finally`.
 */
export async function startChild(
  args: string[],
  options: number | StartOptions = {},
): Promise<Child> {
  const { timeoutMs = 30_000, env, shell } = typeof options === "number"
    ? { timeoutMs: options }
    : options;
  const argv = startArgs(["--host", "127.0.0.1", "--port", "0", ...args]);
  const proc = new Deno.Command(shell === undefined ? Deno.execPath() : "/bin/sh", {
    // `exec` keeps the PID: signals sent by stop() reach tradewatch itself.
    args: shell === undefined ? argv : ["-c", `${shell}; exec "$0" "$@"`, Deno.execPath(), ...argv],
    cwd: ROOT,
    env,
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const out = { text: "" };
  const err = { text: "" };
  const readers = [collect(proc.stdout, out), collect(proc.stderr, err)];
  let status: Deno.CommandStatus | null = null;
  const exited = proc.status.then((s) => (status = s));
  const stop = async (signal: Deno.Signal = "SIGKILL") => {
    if (status === null) {
      try {
        proc.kill(signal);
      } catch { /* already gone */ }
    }
    const s = await exited;
    await Promise.all(readers);
    return s;
  };
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const line = out.text.split("\n").find((l) => l.includes('"msg":"listening"'));
    if (line) {
      const port = JSON.parse(line).port as number;
      return {
        proc,
        port,
        base: `http://127.0.0.1:${port}`,
        output: () => out.text + err.text,
        stop,
      };
    }
    if (status !== null) break;
    await new Promise((r) => setTimeout(r, 25));
  }
  await stop();
  throw new Error(`tradewatch did not start:\n${out.text}\n${err.text}`);
}
