import { PostgresStore } from "../../src/store/postgres.ts";
import { startPostgres } from "../support/postgres.ts";
import { storeContract } from "./contract.ts";

const pg = await startPostgres();

Deno.test({
  name: "store contract: PostgreSQL",
  ignore: pg === null,
  async fn(t) {
    const url = await pg!.createDatabase("contract");
    const open = () => PostgresStore.open({ url, poolSize: 3 });
    let fresh = 0;
    await storeContract(t, {
      open,
      fresh: async () =>
        PostgresStore.open({ url: await pg!.createDatabase(`fresh${++fresh}`), poolSize: 3 }),
      cleanup: () => pg!.destroy(),
    });
  },
});
