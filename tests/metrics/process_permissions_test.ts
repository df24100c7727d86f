/**
 * Process metrics under the permissions the service ships with: the service is started exactly
 * as `deno task start` starts it (its flags read from deno.json; the Dockerfile's run target is
 * checked to carry the same ones), and its `/proc/self` figures are compared with what the test,
 * running with every permission, reads from `/proc/PID`.
 */
import assert from "node:assert/strict";
import { scrape, startChild, sumOf } from "../server/helpers.ts";

function fdCount(pid: number): number {
  let n = 0;
  for (const _ of Deno.readDirSync(`/proc/${pid}/fd`)) n++;
  return n;
}

Deno.test({
  name: "process_open_fds, process_max_fds and process_virtual_memory_bytes under deno task start",
  ignore: Deno.build.os !== "linux",
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "tw-procperm-" });
    const child = await startChild(["--db", `${dir}/t.db`, "--log-level", "warn"]);
    try {
      const pid = child.proc.pid;
      const e = await scrape(child.base);
      const open = sumOf(e, "process_open_fds");
      const actual = fdCount(pid);
      // The scrape's own connection and the reader's handle come and go: a few either way.
      assert.ok(open > 3 && Math.abs(open - actual) <= 4, `open_fds ${open}, /proc says ${actual}`);
      const limits = Deno.readTextFileSync(`/proc/${pid}/limits`);
      const soft = Number(/^Max open files\s+(\d+)/m.exec(limits)?.[1]);
      assert.ok(e.types.has("process_max_fds"), "process_max_fds is exposed");
      assert.equal(sumOf(e, "process_max_fds"), soft);
      const status = Deno.readTextFileSync(`/proc/${pid}/status`);
      const vm = Number(/^VmSize:\s+(\d+)\s+kB/m.exec(status)?.[1]) * 1024;
      const got = sumOf(e, "process_virtual_memory_bytes");
      // Same source, read a moment apart: within 10% (V8 maps and unmaps as it goes).
      assert.ok(got > 0 && Math.abs(got - vm) / vm < 0.1, `virtual ${got}, /proc says ${vm}`);
    } finally {
      await child.stop("SIGTERM");
      await Deno.remove(dir, { recursive: true });
    }
  },
});
