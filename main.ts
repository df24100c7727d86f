/**
 * tradewatch: a trading API that is born observable.
 *
 * This file only picks the mode and delegates; each mode parses its own flags.
 *
 * @module
 */
import { VERSION } from "./src/version.ts";

const USAGE = `tradewatch ${VERSION}: a trading API that is born observable

Usage:
  tradewatch [serve options]            run the trading API (default mode)
  tradewatch --loadgen [options]        generate load against a running tradewatch
  tradewatch --loadgen --game-day ALERT make an alert fire and resolve (or: all)
  tradewatch --lint-rules FILE... [-]   check Prometheus rule files
  tradewatch --healthcheck [--url URL]  probe a running service (for distroless containers)
  tradewatch --help                     this help; add a mode flag for its options
  tradewatch --version                  print the version

Run 'tradewatch --help', 'tradewatch --loadgen --help' or 'tradewatch --lint-rules --help'
for each mode's options.`;

type Mode = "serve" | "loadgen" | "lint-rules" | "healthcheck";
/** A Map, not an object: a value such as `constructor` is never taken for a mode flag. */
const MODE_FLAGS: ReadonlyMap<string, Mode> = new Map([
  ["--loadgen", "loadgen"],
  ["--lint-rules", "lint-rules"],
  ["--healthcheck", "healthcheck"],
]);

/** Run tradewatch with command-line arguments; resolves to the process exit code. */
export async function run(args: string[]): Promise<number> {
  const modes = args.filter((a) => MODE_FLAGS.has(a));
  if (modes.length > 1) {
    console.error(`tradewatch: choose one mode, got ${modes.join(" and ")}`);
    return 2;
  }
  const mode: Mode = modes.length ? MODE_FLAGS.get(modes[0])! : "serve";
  const rest = args.filter((a) => !MODE_FLAGS.has(a));
  if (rest.includes("--version") || rest.includes("-V")) {
    console.log(`tradewatch ${VERSION} (deno ${Deno.version.deno})`);
    return 0;
  }
  if (mode === "serve" && (rest.includes("--help") || rest.includes("-h"))) {
    console.log(USAGE + "\n");
  }
  switch (mode) {
    case "serve":
      return (await import("./src/server/mod.ts")).main(rest);
    case "loadgen":
      if (rest.some((a) => a === "--game-day" || a.startsWith("--game-day="))) {
        return (await import("./src/gameday/mod.ts")).main(rest);
      }
      return (await import("./src/loadgen/mod.ts")).main(rest);
    case "lint-rules":
      return (await import("./src/lint/mod.ts")).main(rest);
    case "healthcheck":
      return (await import("./src/healthcheck/mod.ts")).main(rest);
  }
}

if (import.meta.main) {
  Deno.exit(await run(Deno.args));
}
