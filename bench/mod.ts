/**
 * `deno task bench`: every performance goal as a side-by-side ratio measured in one run.
 * Pass area names (server, exposition, loadgen, lint, postgres) to run only some.
 *
 * @module
 */
import { type BenchRow, formatTable } from "./table.ts";

const AREAS: Record<string, () => Promise<{ run: () => Promise<BenchRow[]> }>> = {
  server: () => import("./server.ts"),
  exposition: () => import("./exposition.ts"),
  loadgen: () => import("./loadgen.ts"),
  lint: () => import("./lint.ts"),
  postgres: () => import("./postgres.ts"),
};

if (import.meta.main) {
  const wanted = Deno.args.length ? Deno.args : Object.keys(AREAS);
  const rows: BenchRow[] = [];
  for (const area of wanted) {
    const load = AREAS[area];
    if (!load) {
      console.error(
        `bench: unknown area "${area}", expected one of ${Object.keys(AREAS).join(", ")}`,
      );
      Deno.exit(2);
    }
    console.error(`bench: running ${area}…`);
    const got = await (await load()).run();
    rows.push(...got);
    console.error(formatTable(got));
  }
  console.log("\n" + formatTable(rows));
}
