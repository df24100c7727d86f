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
    await storeContract(t, { open, reopen: open, cleanup: () => pg!.destroy() });
  },
});
