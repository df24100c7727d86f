/**
 * A flag table for every mode: describe the flags once ({@link FlagSpec}), parse arguments with
 * `node:util`'s strict `parseArgs` ({@link parseFlags}), read the flags' environment variables
 * ({@link readEnv}) and print the table for `--help` ({@link flagHelp}). Parsed values come
 * back in a `Map`, so that no flag name or value is ever looked up on a plain object (where
 * `constructor` or `__proto__` would be found).
 *
 * The modes keep their own meaning of each value; the converters of `values.ts` turn raw
 * strings into numbers, durations and booleans with one wording of errors.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { UsageError } from "./usage_error.ts";

/** One flag of a mode. */
export interface FlagSpec {
  /** Long name without dashes: `rate` for `--rate`. */
  name: string;
  /** One-letter alias without the dash (`h` for `-h`). */
  short?: string;
  /** Placeholder of the value in `--help` (`N`, `DURATION`); absent for a boolean flag. */
  value?: string;
  /** May be given more than once (values are collected in order). */
  multiple?: boolean;
  /** Environment variable read when the flag is absent (see {@link readEnv}). */
  env?: string;
  /** One line for `--help`. */
  help: string;
}

/** What one flag was given: a string, `true` for a boolean flag, a list for `multiple`. */
export type FlagValue = string | boolean | string[];

/** Parsed arguments. */
export interface ParsedFlags {
  /** Given flags by long name (absent flags are absent). */
  values: ReadonlyMap<string, FlagValue>;
  /** Arguments that are not flags, in order (only when `positionals` was allowed). */
  positionals: string[];
}

/** Options of {@link parseFlags}. */
export interface ParseOptions {
  /** Accept arguments that are not flags (default false: they are a usage error). */
  positionals?: boolean;
  /** What the mode calls its positionals in messages (default "arguments"). */
  positionalsName?: string;
}

/**
 * Parses `args` strictly against `specs`.
 * @throws {UsageError} for an unknown flag, a missing value, a value given to a boolean flag,
 * or an unexpected positional argument
 */
export function parseFlags(
  args: readonly string[],
  specs: readonly FlagSpec[],
  options: ParseOptions = {},
): ParsedFlags {
  const config: Record<string, { type: "string" | "boolean"; short?: string; multiple?: boolean }> =
    Object.create(null);
  for (const s of specs) {
    config[s.name] = {
      type: s.value === undefined ? "boolean" : "string",
      ...(s.short ? { short: s.short } : {}),
      ...(s.multiple ? { multiple: true } : {}),
    };
  }
  let parsed: { values: Record<string, FlagValue | undefined>; positionals: string[] };
  try {
    parsed = parseArgs({
      args: [...args],
      options: config,
      strict: true,
      allowPositionals: options.positionals ?? false,
    }) as typeof parsed;
  } catch (e) {
    throw describeParseError(e, specs, options);
  }
  const values = new Map<string, FlagValue>();
  for (const s of specs) {
    if (!Object.hasOwn(parsed.values, s.name)) continue;
    const v = parsed.values[s.name];
    if (v !== undefined) values.set(s.name, v);
  }
  return { values, positionals: parsed.positionals };
}

/** A short, quoted rendering of user input for messages. */
export function quote(raw: string, max = 40): string {
  return JSON.stringify(raw.length > max ? raw.slice(0, max) + "…" : raw);
}

function describeParseError(e: unknown, specs: readonly FlagSpec[], o: ParseOptions): UsageError {
  const err = e as { code?: string; message?: string };
  const msg = String(err.message ?? e);
  // parseArgs quotes the option as '--name', '-n, --name' or '--name <value>'.
  const flag = (msg.match(/'(?:-[^-'\s], )?(-{1,2}[^'\s,]*)/)?.[1] ?? "").slice(0, 60);
  switch (err.code) {
    case "ERR_PARSE_ARGS_UNKNOWN_OPTION":
      return new UsageError(`Unknown flag ${flag} (see --help for the list of flags)`, flag);
    case "ERR_PARSE_ARGS_INVALID_OPTION_VALUE": {
      const name = flag.replace(/^-+/, "");
      const spec = specs.find((s) => s.name === name || s.short === name);
      return spec !== undefined && spec.value === undefined
        ? new UsageError(`Flag ${flag} takes no value`, flag)
        : new UsageError(`Flag ${flag} needs a value`, flag);
    }
    case "ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL": {
      const arg = msg.match(/'([^']*)'/)?.[1] ?? "";
      return new UsageError(
        `Unexpected argument ${quote(arg, 60)}: this mode takes only flags`,
      );
    }
    default:
      return new UsageError(
        `Invalid ${o.positionalsName ?? "arguments"}: ${msg.split("\n")[0].replace(/\.$/, "")}`,
      );
  }
}

/** Source of environment variables (injectable for tests). */
export type EnvSource = (name: string) => string | undefined;

/** The environment, or nothing without the permission to read it. */
export const processEnv: EnvSource = (name) => {
  try {
    return Deno.env.get(name);
  } catch {
    return undefined;
  }
};

/** The set, non-empty environment variables of `specs`, by flag name. */
export function readEnv(
  specs: readonly FlagSpec[],
  env: EnvSource = processEnv,
): Map<string, string> {
  const out = new Map<string, string>();
  for (const s of specs) {
    if (s.env === undefined) continue;
    const v = env(s.env);
    if (v !== undefined && v !== "") out.set(s.name, v);
  }
  return out;
}

/** The width every mode's `--help` fits in. */
export const HELP_WIDTH = 100;

/** `text` in lines of at most `width` columns, broken between words (a longer word stays whole). */
export function wrapWords(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(/\s+/).filter((w) => w !== "")) {
    if (line === "") line = word;
    else if (line.length + 1 + word.length <= width) line += ` ${word}`;
    else {
      lines.push(line);
      line = word;
    }
  }
  if (line !== "" || lines.length === 0) lines.push(line);
  return lines;
}

/**
 * `head`, then `text` from column `indent` wrapped to `width` with a hanging indent (every line of
 * the text starts at `indent`); the text starts on the next line when `head` leaves it fewer than
 * two spaces.
 */
export function hang(head: string, text: string, indent: number, width = HELP_WIDTH): string {
  if (text.trim() === "") return head.trimEnd();
  const pad = " ".repeat(indent);
  const lines = wrapWords(text, Math.max(1, width - indent)).map((l) => pad + l);
  if (head.trimEnd().length + 2 <= indent) {
    lines[0] = head.padEnd(indent) + lines[0].slice(indent);
  } else lines.unshift(head.trimEnd());
  return lines.join("\n");
}

/** One row of {@link flagHelp}: a flag and, optionally, its default as shown. */
export interface HelpRow {
  spec: FlagSpec;
  default?: string;
}

/** The narrowest help column of the table layout of {@link flagHelp}. */
const MIN_HELP_COLUMN = 36;

/**
 * The flags as an aligned table within `width` columns: `--flag VALUE  [ENV]  [default]  help`
 * (the default column appears only when some row has one, the environment column only when
 * at least half the rows have a variable; else a variable ends its flag's help), the help column
 * wrapped with a hanging indent. When the flag, environment and default columns leave the help
 * fewer than 36 columns, each flag's help goes on the lines below it instead, indented. Flags,
 * value placeholders, variables and defaults are never broken.
 */
export function flagHelp(rows: readonly HelpRow[], width = HELP_WIDTH): string {
  // A variable of a few flags only is no column: it goes at the end of their help.
  const envColumn = 2 * rows.filter((r) => r.spec.env !== undefined).length >= rows.length;
  const cells = rows.map(({ spec, default: d }) => [
    `${spec.short ? `-${spec.short}, ` : ""}--${spec.name}${spec.value ? ` ${spec.value}` : ""}`,
    envColumn ? spec.env ?? "" : "",
    d ?? "",
    envColumn || spec.env === undefined ? spec.help : `${spec.help} (variable ${spec.env})`,
  ]);
  const longest = (i: number) => Math.max(0, ...cells.map((c) => c[i].length));
  const head = (c: string[], w: number[]) => {
    const cols = [c[0].padEnd(w[0])];
    if (w[1] > 0) cols.push(c[1].padEnd(w[1]));
    if (w[2] > 0) cols.push(c[2].padEnd(w[2]));
    return `  ${cols.join("  ")}`;
  };
  const table = [longest(0), longest(1), Math.min(26, longest(2))];
  const helpColumn = head(["", "", ""], table).length + 2;
  if (width - helpColumn >= MIN_HELP_COLUMN) {
    return cells.map((c) => hang(head(c, table), c[3], helpColumn, width)).join("\n");
  }
  const stacked = [Math.min(28, longest(0)), Math.min(30, longest(1)), longest(2)];
  return cells.map((c) => hang(head(c, stacked), c[3], 6, width)).join("\n");
}
