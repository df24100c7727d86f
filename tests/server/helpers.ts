/**
 * Test helpers of the server area: the real service started as a child process (`deno run
 * main.ts`) or in-process (real `Deno.serve` on 127.0.0.1 port 0), and a Prometheus text parser
 * for assertions.
 *
 * @module
 */
import { type Config, parseConfig } from "../../src/config.ts";
import { type RunningServer, startServer } from "../../src/server/mod.ts";
import { createLogger } from "../../src/server/logger.ts";

export { type Child, ROOT, runMain, startChild } from "../support/service.ts";
export {
  type Exposition,
  parseExposition,
  type Sample,
  scrape,
  seriesKey,
  sumOf,
} from "../support/exposition.ts";

/** An in-process server on 127.0.0.1 port 0 with a :memory: database. */
export async function startInProcess(
  args: string[] = [],
): Promise<RunningServer & { base: string }> {
  const config: Config = parseConfig(
    ["--host", "127.0.0.1", "--port", "0", "--db", ":memory:", ...args],
    () => undefined,
  );
  const running = await startServer(config, createLogger("silent"));
  return { ...running, base: `http://127.0.0.1:${running.addr.port}` };
}
