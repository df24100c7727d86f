/**
 * `deno task install`: puts a `tradewatch` command on the machine with `deno install --global`,
 * without the `denort` download that `deno compile` needs. The command runs this checkout's
 * `main.ts` with exactly the V8 flags and permissions of `deno task start` (read from deno.json
 * here, so the two cannot drift) and this checkout's import map, so it works offline once the
 * npm packages are in Deno's cache (this step fills it).
 *
 * Usage: deno task install [--root DIR]   (DIR/bin/tradewatch; default $DENO_INSTALL_ROOT or ~/.deno)
 *
 * @module
 */

import { join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const CONFIG = join(ROOT, "deno.json");
const MAIN = join(ROOT, "main.ts");

/** The flags of the `start` task between `deno run` and `main.ts`. */
export function startFlags(tasks: Record<string, string | { command: string }>): string[] {
  const task = tasks.start;
  const command = typeof task === "string" ? task : task?.command;
  const words = command?.trim().split(/\s+/) ?? [];
  if (words[0] !== "deno" || words[1] !== "run" || words.at(-1) !== "main.ts") {
    throw new Error(`the start task is not 'deno run FLAGS main.ts': ${command}`);
  }
  return words.slice(2, -1);
}

async function main(args: string[]): Promise<number> {
  let root: string | undefined;
  for (let i = 0; i < args.length; i++) {
    if (args[i] === "--root" && args[i + 1]) root = args[++i];
    else {
      console.error(`deno task install: unknown argument ${args[i]} (usage: [--root DIR])`);
      return 2;
    }
  }
  const config = JSON.parse(await Deno.readTextFile(CONFIG));
  const flags = startFlags(config.tasks);
  const rootArgs = root ? ["--root", root] : [];
  const install = await new Deno.Command(Deno.execPath(), {
    args: [
      "install",
      "--global",
      "--force",
      "--quiet",
      "--name",
      "tradewatch",
      "--config",
      CONFIG,
      ...rootArgs,
      ...flags,
      MAIN,
    ],
    stdout: "inherit",
    stderr: "inherit",
  }).output();
  if (!install.success) {
    console.error("deno task install: deno install failed");
    return install.code || 1;
  }
  const home = Deno.env.get("HOME") ?? "";
  const bin = join(root ?? Deno.env.get("DENO_INSTALL_ROOT") ?? join(home, ".deno"), "bin");
  console.log(`installed ${join(bin, "tradewatch")}: deno run ${flags.join(" ")} ${MAIN}`);
  const path = (Deno.env.get("PATH") ?? "").split(":");
  if (!path.includes(bin)) {
    console.log(`${bin} is not on your PATH; add it, e.g.: export PATH="${bin}:$PATH"`);
  }
  console.log("run 'deno task install' again after moving this checkout or changing deno.json");
  return 0;
}

if (import.meta.main) Deno.exit(await main(Deno.args));
