import { join } from "node:path";
import { SqliteStore } from "../../src/store/sqlite.ts";
import { storeContract } from "./contract.ts";

Deno.test("store contract: SQLite", async (t) => {
  const dir = await Deno.makeTempDir({ prefix: "tradewatch-contract-" });
  const path = join(dir, "contract.db");
  const open = () => Promise.resolve(new SqliteStore({ path, poolSize: 3 }));
  let fresh = 0;
  await storeContract(t, {
    open,
    fresh: () =>
      Promise.resolve(new SqliteStore({ path: join(dir, `fresh${++fresh}.db`), poolSize: 3 })),
    cleanup: () => Deno.remove(dir, { recursive: true }),
  });
});
