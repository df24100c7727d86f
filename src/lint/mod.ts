/**
 * `tradewatch --lint-rules`: check Prometheus rule files like `promtool check rules`, every
 * problem with its position, plus checks against the service's own metric catalog.
 *
 * @module
 */
import { parseArgs } from "node:util";
import type { LintOptions } from "./context.ts";
import { type FileResult, lintText } from "./lint.ts";
import { type Format, FORMATS, render } from "./report.ts";
import { DEFAULT_SCRAPE_INTERVAL_MS, readScrapeSettings } from "./config.ts";
import { loadServiceCatalog } from "./catalog.ts";
import { CHECKS } from "./checks/mod.ts";
import { formatDuration } from "./duration.ts";
import { RunCache } from "./cache.ts";

/** The default Prometheus configuration, read when present. */
export const DEFAULT_CONFIG = "configs/prometheus.yml";

const USAGE = `Usage: tradewatch --lint-rules [options] FILE... [-]

Check Prometheus rule files: everything 'promtool check rules' checks, every problem with
file:line:col, plus checks against tradewatch's own metric catalog. '-' reads standard input.

Options:
  --format text|json|github   output format (default text; github = Actions annotations)
  --prometheus 2|3            follow Prometheus 2 (2.42) or 3 rules (default 3)
  --name-validation utf8|legacy
                              metric/label name characters in 3 mode (default utf8)
  --catalog service|none      check metric names, labels and types against the service's
                              catalog (default service)
  --config FILE               Prometheus configuration for the scrape interval (default
                              ${DEFAULT_CONFIG} if present, else 10s)
  --fatal-warnings            exit 1 on warnings too
  -h, --help                  this help

Exit status: 0 no errors, 1 errors (or warnings with --fatal-warnings), 2 usage error or
unreadable file.

Checks:
${CHECKS.map((c) => `  ${c.name.padEnd(24)} ${c.description}`).join("\n")}`;

class UsageError extends Error {}

interface Cli {
  files: string[];
  format: Format;
  fatalWarnings: boolean;
  options: Omit<LintOptions, "catalog" | "scrapeIntervalMs" | "scrapeIntervalSource">;
  catalog: "service" | "none";
  config?: string;
  help: boolean;
}

function parseCli(args: string[]): Cli {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      strict: true,
      options: {
        format: { type: "string", default: "text" },
        prometheus: { type: "string", default: "3" },
        "name-validation": { type: "string", default: "utf8" },
        catalog: { type: "string", default: "service" },
        config: { type: "string" },
        "fatal-warnings": { type: "boolean", default: false },
        help: { type: "boolean", short: "h", default: false },
      },
    });
  } catch (e) {
    throw new UsageError((e as Error).message.replace(/\.$/, ""));
  }
  const v = parsed.values;
  const oneOf = <T extends string>(flag: string, value: string, allowed: readonly T[]): T => {
    if (!(allowed as readonly string[]).includes(value)) {
      throw new UsageError(`--${flag} must be one of ${allowed.join(", ")}, got "${value}"`);
    }
    return value as T;
  };
  if (parsed.positionals.filter((f) => f === "-").length > 1) {
    throw new UsageError("'-' (standard input) given more than once");
  }
  return {
    files: parsed.positionals,
    format: oneOf("format", v.format!, FORMATS),
    fatalWarnings: v["fatal-warnings"]!,
    options: {
      prometheus: Number(oneOf("prometheus", v.prometheus!, ["2", "3"])) as 2 | 3,
      nameValidation: oneOf("name-validation", v["name-validation"]!, ["utf8", "legacy"]),
    },
    catalog: oneOf("catalog", v.catalog!, ["service", "none"]),
    config: v.config,
    help: v.help!,
  };
}

async function readInput(file: string): Promise<Uint8Array> {
  if (file === "-") return new Uint8Array(await new Response(Deno.stdin.readable).arrayBuffer());
  return await Deno.readFile(file);
}

/** Decode a rule file; YAML (and promtool) require UTF-8. */
function decodeUtf8(path: string, bytes: Uint8Array): string | FileResult {
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    const text = new TextDecoder().decode(bytes);
    const at = text.indexOf("\ufffd");
    const before = text.slice(0, Math.max(0, at));
    const line = before.split("\n").length;
    const col = before.length - before.lastIndexOf("\n");
    return {
      path,
      rules: 0,
      problems: [{
        severity: "error",
        message: "yaml: the file is not valid UTF-8",
        line,
        col,
        text: text.split("\n")[line - 1]?.trim() ?? "",
        check: "yaml/syntax",
      }],
    };
  }
}

/** Run the lint mode with its command-line arguments; resolves to the exit code. */
export async function main(args: string[]): Promise<number> {
  let cli: Cli;
  try {
    cli = parseCli(args);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    console.error(`tradewatch --lint-rules: ${e.message}\n\n${USAGE}`);
    return 2;
  }
  if (cli.help) {
    console.log(USAGE);
    return 0;
  }
  if (cli.files.length === 0) {
    console.error(`tradewatch --lint-rules: no rule files given\n\n${USAGE}`);
    return 2;
  }

  // The scrape interval: --config, else the default file when present, else 10s.
  let scrape = {
    intervalMs: DEFAULT_SCRAPE_INTERVAL_MS,
    source: "the default (no Prometheus configuration found)",
    targetLabels: [] as string[],
    jobs: undefined as string[] | undefined,
  };
  const configPath = cli.config ?? DEFAULT_CONFIG;
  try {
    scrape = readScrapeSettings(await Deno.readTextFile(configPath), configPath);
  } catch (e) {
    if (cli.config !== undefined || !(e instanceof Deno.errors.NotFound)) {
      console.error(
        `tradewatch --lint-rules: cannot read the Prometheus configuration ${configPath}: ${
          (e as Error).message
        }`,
      );
      return 2;
    }
  }
  const options: LintOptions = {
    ...cli.options,
    scrapeIntervalMs: scrape.intervalMs,
    scrapeIntervalSource: `${formatDuration(scrape.intervalMs)} from ${scrape.source}`,
    catalog: cli.catalog === "service"
      ? await loadServiceCatalog(scrape.targetLabels, scrape.jobs)
      : undefined,
  };

  let unreadable = false;
  const results: FileResult[] = [];
  const cache = new RunCache();
  for (const file of cli.files) {
    const path = file === "-" ? "<stdin>" : file;
    let text: string | FileResult;
    try {
      // Decoded in one step, so that the file's bytes are garbage before linting starts.
      text = decodeUtf8(path, await readInput(file));
    } catch (e) {
      console.error(`tradewatch --lint-rules: cannot read ${file}: ${(e as Error).message}`);
      unreadable = true;
      continue;
    }
    results.push(typeof text === "string" ? lintText(path, text, options, false, cache) : text);
  }
  const out = render(results, cli.format);
  await writeAll(out);
  if (unreadable) return 2;
  const failing = results.some((r) =>
    r.problems.some((p) =>
      p.severity === "error" || (cli.fatalWarnings && p.severity === "warning")
    )
  );
  return failing ? 1 : 0;
}

/** Write the report; a closed pipe (`| head`) is not an error of the linter. */
async function writeAll(text: string): Promise<void> {
  const bytes = new TextEncoder().encode(text);
  let off = 0;
  try {
    while (off < bytes.length) off += await Deno.stdout.write(bytes.subarray(off));
  } catch (e) {
    if (!(e instanceof Deno.errors.BrokenPipe)) throw e;
  }
}
