/**
 * `tradewatch --lint-rules`: check Prometheus rule files like `promtool check rules`, every
 * problem with its position, plus checks against the service's own metric catalog.
 *
 * @module
 */
import {
  durationText,
  type EnvSource,
  flagHelp,
  type FlagSpec,
  hang,
  invalid,
  parseFlags,
  processEnv,
  quote,
  readEnv,
  UsageError,
} from "../cli/mod.ts";
import type { LintOptions } from "./context.ts";
import { type FileResult, lintText } from "./lint.ts";
import { type Format, FORMATS, render } from "./report.ts";
import { DEFAULT_SCRAPE_INTERVAL_MS, readScrapeSettings } from "./config.ts";
import { loadServiceCatalog } from "./catalog.ts";
import { CHECKS } from "./checks/mod.ts";
import { formatDuration } from "./duration.ts";
import { RunCache } from "./cache.ts";
import { judgeDeferred } from "./online.ts";

/** The default Prometheus configuration, read when present. */
export const DEFAULT_CONFIG = "configs/prometheus.yml";

/** The flags of the lint mode. */
const FLAGS: readonly FlagSpec[] = [
  {
    name: "format",
    value: "text|json|github",
    help: "output format (default text; github = Actions annotations)",
  },
  { name: "prometheus", value: "2|3", help: "follow Prometheus 2 (2.42) or 3 rules (default 3)" },
  {
    name: "name-validation",
    value: "utf8|legacy",
    help: "metric/label name characters in 3 mode (default utf8)",
  },
  {
    name: "catalog",
    value: "service|none",
    help: "check names, labels and types against the service's catalog (default service)",
  },
  {
    name: "config",
    value: "FILE",
    help:
      `Prometheus configuration for the scrape interval and job names (default ${DEFAULT_CONFIG} if present, else ${
        durationText(DEFAULT_SCRAPE_INTERVAL_MS)
      })`,
  },
  {
    name: "upgrade-to",
    value: "3",
    help: "flag rules whose meaning changes from Prometheus 2 to 3 (upgrade/*)",
  },
  {
    name: "prometheus-url",
    value: "URL",
    help: "check selectors against a live Prometheus (online/*)",
  },
  {
    name: "prometheus-token",
    value: "TOKEN",
    env: "TRADEWATCH_PROMETHEUS_TOKEN",
    help: "bearer token for --prometheus-url",
  },
  { name: "fatal-warnings", help: "exit 1 on warnings too" },
  { name: "help", short: "h", help: "this help" },
];

const USAGE = `Usage: tradewatch --lint-rules [options] FILE... [-]

Check Prometheus rule files: everything 'promtool check rules' checks, every problem with
file:line:col, plus checks against tradewatch's own metric catalog. '-' reads standard input.

Options:
${flagHelp(FLAGS.map((spec) => ({ spec })))}

Exit status: 0 no errors, 1 errors (or warnings with --fatal-warnings), 2 usage error or
unreadable file.

Checks:
${CHECKS.map((c) => hang(`  ${c.name}`, c.description, 27)).join("\n")}`;

interface Cli {
  files: string[];
  format: Format;
  fatalWarnings: boolean;
  options: Omit<LintOptions, "catalog" | "scrapeIntervalMs" | "scrapeIntervalSource" | "online">;
  catalog: "service" | "none";
  config?: string;
  prometheusUrl?: URL;
  prometheusToken?: string;
  help: boolean;
}

function parseCli(args: string[], env: EnvSource = processEnv): Cli {
  const { values, positionals } = parseFlags(args, FLAGS, {
    positionals: true,
    positionalsName: "rule files",
  });
  const fromEnv = readEnv(FLAGS, env);
  const str = (name: string, fallback?: string): string | undefined => {
    const v = values.get(name) ?? fromEnv.get(name);
    return typeof v === "string" ? v : fallback;
  };
  const oneOf = <T extends string>(flag: string, fallback: T, allowed: readonly T[]): T => {
    const value = str(flag, fallback)!;
    if (!(allowed as readonly string[]).includes(value)) {
      throw new UsageError(
        `--${flag} must be one of ${allowed.join(", ")}, got ${quote(value)}`,
        `--${flag}`,
      );
    }
    return value as T;
  };
  if (positionals.filter((f) => f === "-").length > 1) {
    throw new UsageError("'-' (standard input) given more than once");
  }
  let prometheusUrl: URL | undefined;
  const url = str("prometheus-url");
  if (url !== undefined) {
    try {
      prometheusUrl = new URL(url);
    } catch {
      throw invalid("--prometheus-url", url, "an http:// or https:// URL");
    }
    if (prometheusUrl.protocol !== "http:" && prometheusUrl.protocol !== "https:") {
      throw invalid("--prometheus-url", url, "an http:// or https:// URL");
    }
  }
  const token = str("prometheus-token");
  if (token !== undefined && prometheusUrl === undefined) {
    throw new UsageError("--prometheus-token needs --prometheus-url", "--prometheus-token");
  }
  if (values.has("prometheus-token") && token === "") {
    throw new UsageError("--prometheus-token must not be empty", "--prometheus-token");
  }
  const upgrade = str("upgrade-to");
  return {
    files: positionals,
    format: oneOf("format", "text", FORMATS),
    fatalWarnings: values.get("fatal-warnings") === true,
    options: {
      prometheus: Number(oneOf("prometheus", "3", ["2", "3"])) as 2 | 3,
      nameValidation: oneOf("name-validation", "utf8", ["utf8", "legacy"]),
      ...(upgrade !== undefined ? { upgradeTo: Number(oneOf("upgrade-to", "3", ["3"])) as 3 } : {}),
    },
    catalog: oneOf("catalog", "service", ["service", "none"]),
    config: str("config"),
    prometheusUrl,
    prometheusToken: token,
    help: values.get("help") === true,
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
    ...(cli.prometheusUrl ? { online: true } : {}),
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
  if (cli.prometheusUrl && results.length) {
    // The online checks deferred their judgements: ask Prometheus once, then judge.
    const online = await judgeDeferred(
      { url: cli.prometheusUrl, token: cli.prometheusToken },
      cache.deferred,
      results[0].path,
    );
    for (const r of results) {
      const more = online.get(r.path);
      if (!more) continue;
      r.problems.push(...more);
      r.problems.sort((a, b) => a.line - b.line || a.col - b.col);
    }
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
