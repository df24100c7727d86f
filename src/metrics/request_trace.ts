/**
 * The trace of the request being handled, for exemplars recorded away from the HTTP edge: the
 * recorder counts an order inside the domain's event dispatch, which runs in the request's async
 * context, so an `AsyncLocalStorage` carries the edge's trace id there without the domain
 * knowing about traces. Only requests that can produce exemplars enter it (`POST /orders` with
 * exemplars on).
 *
 * @module
 */
import { AsyncLocalStorage } from "node:async_hooks";

/** What a request's exemplars carry. */
export interface RequestTrace {
  traceId: string;
}

const storage = new AsyncLocalStorage<RequestTrace>();

/** Run `fn` with `trace` as the current request trace. */
export function withTrace<T>(trace: RequestTrace, fn: () => T): T {
  return storage.run(trace, fn);
}

/** The trace of the request being handled, if any. */
export function currentTrace(): RequestTrace | undefined {
  return storage.getStore();
}
