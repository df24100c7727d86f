/**
 * How tradewatch ships: the benches run `main.ts` with the same V8 flags as `deno task start`
 * (which `deno task compile` bakes into the executable), so they measure the program users run.
 *
 * @module
 */

const denoJson = JSON.parse(
  await Deno.readTextFile(new URL("../deno.json", import.meta.url)),
) as { tasks: Record<string, string> };

/** The `--v8-flags=…` arguments of `deno task start`. */
export const SHIPPED_V8_FLAGS: readonly string[] = denoJson.tasks.start.split(/\s+/).filter((w) =>
  w.startsWith("--v8-flags")
);
