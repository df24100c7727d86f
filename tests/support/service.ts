/**
 * Shared test support: the real tradewatch started as a child process (`deno run main.ts`), for
 * every area's tests.
 *
 * @module
 */

/** The repository root. */
export const ROOT: string = new URL("../..", import.meta.url).pathname;

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

/** Collects a stream's text in the background until it ends. */
function collect(stream: ReadableStream<Uint8Array>, sink: { text: string }): Promise<void> {
  return (async () => {
    const decoder = new TextDecoder();
    for await (const chunk of stream) {
      if (sink.text.length < 4_000_000) sink.text += decoder.decode(chunk, { stream: true });
    }
  })().catch(() => {});
}

/** Run `deno run main.ts ARGS` and wait for it to exit (for config errors, --help). */
export async function runMain(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-all", "main.ts", ...args],
    cwd: ROOT,
    env,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const d = new TextDecoder();
  return { code: out.code, stdout: d.decode(out.stdout), stderr: d.decode(out.stderr) };
}

/**
 * The arguments of `deno task start` after `deno` (`run`, its permission and V8 flags, `main.ts`),
 * read from deno.json, so that a test starts the service exactly as users do.
 */
export function startTaskArgs(): string[] {
  const denoJson = JSON.parse(Deno.readTextFileSync(`${ROOT}deno.json`));
  const words: string[] = String(denoJson.tasks.start).split(/\s+/);
  if (words[0] !== "deno" || words.at(-1) !== "main.ts") {
    throw new Error(`unexpected start task: ${denoJson.tasks.start}`);
  }
  return words.slice(1);
}

/**
 * Start `deno run main.ts --host 127.0.0.1 --port 0 ARGS` and wait for its `listening` line.
 * With `asTask`, the permissions are those of `deno task start` instead of `--allow-all`.
 * Always call `stop()` in `finally`.
 */
export async function startChild(
  args: string[],
  timeoutMs = 30_000,
  options: { asTask?: boolean } = {},
): Promise<Child> {
  const run = options.asTask ? startTaskArgs() : ["run", "--allow-all", "main.ts"];
  const proc = new Deno.Command(Deno.execPath(), {
    args: [...run, "--host", "127.0.0.1", "--port", "0", ...args],
    cwd: ROOT,
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
