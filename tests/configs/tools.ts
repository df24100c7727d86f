/**
 * Helpers shared by the config tests: the repository's paths, a runner for the real
 * promtool/amtool binaries and tradewatch's own `--lint-rules`.
 *
 * @module
 */
import { fileURLToPath } from "node:url";
import { parse } from "yaml";
import { type CommandResult, runCommand } from "../support/command.ts";
import { startArgs } from "../support/service.ts";

export { type CommandResult, runCommand };

/** The repository root (two levels above this file). */
export const ROOT: string = fileURLToPath(new URL("../../", import.meta.url));
/** The directory holding the stack's configuration files. */
export const CONFIGS: string = `${ROOT}configs/`;

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
