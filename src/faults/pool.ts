/**
 * The `db_pool_hold` fault: K connections of the store's pool are leased and held, as a
 * stuck transaction or a leak would hold them. Callers then queue for the remaining ones (and
 * with every connection held, every query waits): `db_connection_pool_size` shows it and
 * DBPoolExhausted fires honestly. Nothing is read or written on a held connection.
 *
 * @module
 */
import type { OrderStore } from "../trading/ports.ts";
import type { FaultRegistry } from "./registry.ts";

/** A store whose pool can lend a connection to an outside holder. */
export interface ConnectionLender {
  /** Lease one connection (waiting when none is idle); call the result to give it back. */
  leaseConnection(): Promise<() => void>;
}

/** Hold the connections the registry's `db_pool_hold` asks for; returns the stop function. */
export function holdConnections(store: ConnectionLender, faults: FaultRegistry): () => void {
  let generation = 0;
  let held: (() => void)[] = [];
  const releaseAll = () => {
    const h = held;
    held = [];
    for (const release of h) release();
  };
  const sync = () => {
    const gen = ++generation;
    releaseAll();
    const want = faults.get("db_pool_hold")?.connections ?? 0;
    for (let i = 0; i < want; i++) {
      void store.leaseConnection().then((release) => {
        // A lease granted after the fault changed again goes straight back.
        if (gen === generation) held.push(release);
        else release();
      }, () => {/* the store is closing */});
    }
  };
  const unsubscribe = faults.subscribe((change) => {
    if ("db_pool_hold" in change.set || change.cleared.includes("db_pool_hold")) sync();
  });
  return () => {
    unsubscribe();
    generation++;
    releaseAll();
  };
}

/** Whether `store` can lend connections. */
export function isLender(store: object): store is ConnectionLender {
  return typeof (store as Partial<ConnectionLender>).leaseConnection === "function";
}

/**
 * `store` under the registry's `db_pool_hold` fault: the same store, whose `close()` first gives
 * the held connections back (so that the final commit does not wait for them). A store without
 * a pool to lend from is returned as it is.
 */
export function poolHoldingStore(store: OrderStore, faults: FaultRegistry): OrderStore {
  if (!isLender(store)) return store;
  const stop = holdConnections(store, faults);
  return {
    append: (write) => store.append(write),
    getOrder: (id) => store.getOrder(id),
    listOrders: (options) => store.listOrders(options),
    loadPositions: () => store.loadPositions(),
    ping: () => store.ping(),
    writable: () => store.writable?.() ?? true,
    get poolState() {
      return store.poolState;
    },
    close: () => {
      stop();
      return store.close();
    },
  };
}
