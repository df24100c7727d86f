/**
 * Helpers shared by the config tests: the repository's paths, a runner for the real
 * promtool/amtool binaries and tradewatch's own `--lint-rules`.
 *
 * @module
 */
import { fileURLToPath } from "node:url";
import { parse } from "yaml";
import { startArgs } from "../support/service.ts";

/** The repository root (two levels above this file). */
export const ROOT: string = fileURLToPath(new URL("../../", import.meta.url));
/** The directory holding the stack's configuration files. */
export const CONFIGS: string = `${ROOT}configs/`;

/** What a finished command left behind. */
export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Run a command to completion and collect its exit code and output (never throws on exit code). */
export async function runCommand(
  cmd: string,
  args: string[],
  options: { cwd?: string; stdin?: string } = {},
): Promise<CommandResult> {
  const child = new Deno.Command(cmd, {
    args,
    cwd: options.cwd,
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
 * `tradewatch --lint-rules --fatal-warnings --prometheus VERSION FILE` as users run it (the start
 * task's flags and permissions, read from deno.json).
 */
export function lintRules(version: string, file: string): Promise<CommandResult> {
  return runCommand(
    Deno.execPath(),
    startArgs(["--lint-rules", "--fatal-warnings", "--prometheus", version, file]),
    { cwd: ROOT },
  );
}

/** Describe a command result for an assertion message. */
export function describeResult(r: CommandResult): string {
  return `exit ${r.code}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`;
}

/** Read and parse a YAML file of the configs directory. */
export async function readConfigYaml(name: string): Promise<unknown> {
  return parse(await Deno.readTextFile(`${CONFIGS}${name}`));
}
