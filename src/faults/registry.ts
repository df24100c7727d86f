/**
 * The fault registry: which run-time faults are active, with what parameters, until when. The
 * decorators of the ports (venue, feed, store pool, cache) and the HTTP edge read it on every
 * call; a fault with a TTL clears itself. No HTTP, no metrics: the admin API and the
 * `tradewatch_fault_active` gauge read it from outside.
 *
 * @module
 */
import { FAULT_NAMES } from "../metrics/labels.ts";
import type { FaultName, FaultParams, FaultsRequest } from "./spec.ts";

/** One active fault as `GET /admin/faults` lists it. */
export interface ActiveFault<K extends FaultName = FaultName> {
  params: FaultParams[K];
  /** ISO-8601 times. */
  setAt: string;
  expiresAt: string | null;
}

/** What changed, for the log and for listeners. */
export interface FaultChange {
  /** `set` and `cleared` come from the admin API; `expired` from a TTL. */
  cause: "set" | "cleared" | "expired";
  /** The faults set (with their parameters) and the faults cleared by this change. */
  set: Partial<FaultParams>;
  cleared: FaultName[];
}

interface Entry {
  params: unknown;
  setAt: number;
  expiresAt: number | null;
  timer: ReturnType<typeof setTimeout> | undefined;
}

/** The active faults. */
export class FaultRegistry {
  readonly #entries = new Map<FaultName, Entry>();
  readonly #listeners = new Set<(change: FaultChange) => void>();
  readonly #now: () => number;

  /** `now` is the wall clock in ms (injectable for tests). */
  constructor(options: { now?: () => number } = {}) {
    this.#now = options.now ?? Date.now;
  }

  /** The parameters of an active fault, or undefined (the decorators' hot path). */
  get<K extends FaultName>(name: K): FaultParams[K] | undefined {
    return this.#entries.get(name)?.params as FaultParams[K] | undefined;
  }

  /** Whether `name` is active. */
  isActive(name: FaultName): boolean {
    return this.#entries.has(name);
  }

  /** Whether any fault is active. */
  get empty(): boolean {
    return this.#entries.size === 0;
  }

  /** Every active fault, in {@link FAULT_NAMES} order. */
  list(): Partial<{ [K in FaultName]: ActiveFault<K> }> {
    const out: Record<string, ActiveFault> = {};
    for (const name of FAULT_NAMES) {
      const e = this.#entries.get(name);
      if (e === undefined) continue;
      out[name] = {
        params: e.params as FaultParams[FaultName],
        setAt: new Date(e.setAt).toISOString(),
        expiresAt: e.expiresAt === null ? null : new Date(e.expiresAt).toISOString(),
      };
    }
    return out;
  }

  /**
   * Apply a validated request: each named fault is set (replacing the active one) or, when
   * null, cleared; the others stay as they are. The faults set expire after `ttl` when given.
   */
  apply(request: FaultsRequest): FaultChange {
    const change: FaultChange = { cause: "set", set: {}, cleared: [] };
    const now = this.#now();
    const ttl = request.ttl ?? null;
    for (const name of FAULT_NAMES) {
      if (!(name in request)) continue;
      const params = request[name];
      this.#remove(name);
      if (params === null || params === undefined) {
        change.cleared.push(name);
        continue;
      }
      const entry: Entry = {
        params,
        setAt: now,
        expiresAt: ttl === null ? null : now + ttl,
        timer: undefined,
      };
      if (ttl !== null) {
        entry.timer = setTimeout(() => this.#expire(name, entry), ttl);
        Deno.unrefTimer(entry.timer);
      }
      this.#entries.set(name, entry);
      (change.set as Record<string, unknown>)[name] = params;
    }
    if (change.cleared.length && !Object.keys(change.set).length) change.cause = "cleared";
    this.#emit(change);
    return change;
  }

  /** Clear every fault. */
  clear(): FaultChange {
    const change: FaultChange = { cause: "cleared", set: {}, cleared: [] };
    for (const name of FAULT_NAMES) {
      if (this.#remove(name)) change.cleared.push(name);
    }
    if (change.cleared.length) this.#emit(change);
    return change;
  }

  /** Listen to every change (set, cleared, expired); returns the unsubscribe function. */
  subscribe(listener: (change: FaultChange) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #expire(name: FaultName, entry: Entry): void {
    if (this.#entries.get(name) !== entry) return;
    this.#entries.delete(name);
    this.#emit({ cause: "expired", set: {}, cleared: [name] });
  }

  #remove(name: FaultName): boolean {
    const e = this.#entries.get(name);
    if (e === undefined) return false;
    clearTimeout(e.timer);
    this.#entries.delete(name);
    return true;
  }

  #emit(change: FaultChange): void {
    for (const l of this.#listeners) l(change);
  }
}
