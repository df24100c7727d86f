/** The JSON-lines logger: levels, one object per line, and no blocking when the sink stalls. */
import assert from "node:assert/strict";
import { createLogger } from "../../src/server/logger.ts";

Deno.test("levels filter lines; each line is one JSON object", async () => {
  const chunks: string[] = [];
  const sink = {
    write: (p: Uint8Array) => {
      chunks.push(new TextDecoder().decode(p));
      return Promise.resolve(p.length);
    },
  };
  const log = createLogger("warn", sink);
  log.debug("d");
  log.info("i");
  log.warn("w", { a: 1 });
  log.error("e", { msg2: "x\ny" });
  await log.flush();
  const lines = chunks.join("").trimEnd().split("\n").map((l) => JSON.parse(l));
  assert.deepEqual(lines.map((l) => [l.level, l.msg]), [["warn", "w"], ["error", "e"]]);
  assert.equal(lines[0].a, 1);
  assert.equal(typeof lines[0].time, "string");
  assert.equal(log.enabled("info"), false);
  const silent = createLogger("silent", sink);
  silent.error("nothing");
  await silent.flush();
  assert.equal(chunks.join("").includes("nothing"), false);
});

Deno.test("a stalled sink never blocks callers: lines beyond the buffer are dropped and counted", async () => {
  let release!: () => void;
  const stalled = new Promise<void>((r) => (release = r));
  const written: string[] = [];
  let first = true;
  const sink = {
    async write(p: Uint8Array) {
      if (first) {
        first = false;
        await stalled;
      }
      written.push(new TextDecoder().decode(p));
      return p.length;
    },
  };
  const log = createLogger("info", sink);
  log.info("first");
  await new Promise((r) => setTimeout(r, 0));
  // Synchronous calls while the sink is stalled: were they waiting for it, this would deadlock.
  for (let i = 0; i < 60_000; i++) log.info("filler", { pad: "x".repeat(100) });
  release();
  await log.flush();
  const text = written.join("");
  assert.match(text, /"msg":"log lines dropped: stdout is not keeping up","dropped":\d+/);
  const kept = text.split("\n").filter((l) => l.includes('"filler"')).length;
  assert.ok(kept > 1000 && kept < 60_000, `${kept} kept`);
});
