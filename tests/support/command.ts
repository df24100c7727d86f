/**
 * Shared test support: run a program to completion and keep what it said, and whether a program
 * the tests compare against (promtool, prometheus, …) is installed at all.
 *
 * @module
 */

/** What a finished command left behind. */
export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Options of {@link runCommand}. */
export interface RunOptions {
  cwd?: string;
  /** Written to the command's standard input, which is closed otherwise. */
  stdin?: string;
  /** Extra environment variables. */
  env?: Record<string, string>;
}

/** Run a command to completion and collect its exit code and output (never throws on exit code). */
export async function runCommand(
  cmd: string,
  args: string[],
  options: RunOptions = {},
): Promise<CommandResult> {
  const child = new Deno.Command(cmd, {
    args,
    cwd: options.cwd,
    env: options.env,
    stdin: options.stdin === undefined ? "null" : "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  if (options.stdin !== undefined) {
    const writer = child.stdin.getWriter();
    await writer.write(new TextEncoder().encode(options.stdin));
    await writer.close();
  }
  const out = await child.output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

/**
 * Whether `program --version` runs; when it does not, warns `area: program is not installed;
 * skipped` so that a skipped test says why.
 */
export function installed(program: string, area: string, skipped: string): boolean {
  try {
    new Deno.Command(program, { args: ["--version"], stdout: "null", stderr: "null" })
      .outputSync();
    return true;
  } catch {
    console.warn(`${area}: ${program} is not installed; ${skipped}`);
    return false;
  }
}
