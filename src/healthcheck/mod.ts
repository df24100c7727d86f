/**
 * The `healthcheck` mode of tradewatch: probe a running service and exit 0 when it is healthy.
 *
 * It exists because the distroless container image has no shell and no curl: the image's
 * `HEALTHCHECK` runs the same executable with `--healthcheck`.
 *
 * Exit codes: 0 healthy, 1 unhealthy (unreachable, timeout or non-2xx), 2 bad usage.
 *
 * @module
 */
import {
  durationFlag,
  durationText,
  type FlagSpec,
  parseFlags,
  processEnv,
  UsageError,
} from "../cli/mod.ts";
import { probe } from "./probe.ts";

const DEFAULT_TIMEOUT_MS = 3000;

const USAGE = `Usage: tradewatch --healthcheck [--url URL] [--timeout DURATION]

Sends one GET to the service and exits 0 when it answers 2xx, 1 otherwise (2 on bad usage).
Prints one line either way (stdout when healthy, stderr otherwise).

Options:
  --url URL           what to probe (default http://\${HOST:-127.0.0.1}:\${PORT:-8000}/health;
                      a wildcard HOST such as 0.0.0.0 is probed on 127.0.0.1)
  --timeout DURATION  give up after this long: 500ms, 2s, 1m or plain seconds (default ${
  durationText(DEFAULT_TIMEOUT_MS)
})
  -h, --help          this help`;

const FLAGS: readonly FlagSpec[] = [
  { name: "url", value: "URL", help: "what to probe" },
  { name: "timeout", value: "DURATION", help: "give up after this long" },
  { name: "help", short: "h", help: "this help" },
];

/**
 * The `--timeout` value: a positive duration such as `500ms`, `2s`, `1m` or `2.5` (plain
 * seconds), in whole milliseconds.
 * @throws {UsageError}
 */
export function parseTimeout(text: string): number {
  try {
    return Math.ceil(durationFlag("--timeout", text, "s", { gt: 0, max: 86_400_000 }));
  } catch {
    throw new UsageError(
      `--timeout must be a positive duration such as 500ms or 2s, got ${JSON.stringify(text)}`,
      "--timeout",
    );
  }
}

/**
 * The default probe URL: the service's own `/health`, on the port (`PORT`, default 8000) and host
 * (`HOST`) the server reads. A wildcard or unset HOST is probed on loopback.
 */
export function defaultUrl(env: (name: string) => string | undefined = processEnv): string {
  const port = env("PORT")?.trim() || "8000";
  let host = env("HOST")?.trim() || "127.0.0.1";
  if (host === "0.0.0.0" || host === "::" || host === "[::]") host = "127.0.0.1";
  if (host.includes(":") && !host.startsWith("[")) host = `[${host}]`;
  return `http://${host}:${port}/health`;
}

/** Run the healthcheck mode with its command-line arguments; resolves to the exit code. */
export async function main(args: string[]): Promise<number> {
  let url: string;
  let timeoutMs = DEFAULT_TIMEOUT_MS;
  try {
    const { values } = parseFlags(args, FLAGS);
    if (values.has("help")) {
      console.log(USAGE);
      return 0;
    }
    const timeout = values.get("timeout");
    if (typeof timeout === "string") timeoutMs = parseTimeout(timeout);
    const given = values.get("url");
    url = typeof given === "string" ? given : defaultUrl();
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    console.error(`tradewatch --healthcheck: ${err.message}`);
    return 2;
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    console.error(`tradewatch --healthcheck: --url is not a valid URL: "${url}"`);
    return 2;
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") {
    console.error(`tradewatch --healthcheck: --url must be http or https, got "${url}"`);
    return 2;
  }

  const result = await probe(parsed.href, timeoutMs);
  if (result.healthy) {
    console.log(`healthy: ${result.url} answered ${result.status} in ${result.elapsedMs} ms`);
    return 0;
  }
  console.error(`unhealthy: ${result.url}: ${result.reason} (after ${result.elapsedMs} ms)`);
  return 1;
}
