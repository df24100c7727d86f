/**
 * The market feed of replicas on PostgreSQL (the database they already share, so replicas need
 * no other server to agree on quotes):
 *
 * - Leadership: a session advisory lock (`pg_try_advisory_lock`) on a dedicated connection. The
 *   replica holding it simulates the market. When its process dies (even `kill -9`) the kernel
 *   closes the socket, PostgreSQL ends the session and frees the lock, and the next follower to
 *   try (every `pollMs`) takes over: failover within about `pollMs` plus one connection setup.
 * - Distribution: the leader publishes each round with `pg_notify` on the same connection; every
 *   replica `LISTEN`s. A round larger than a notification's 8,000-byte payload goes in parts.
 *   A notification is delivered at most once to each listening session; a follower that missed
 *   rounds (reconnecting) continues with the next one, and /ready's market-data staleness covers
 *   a feed that stopped.
 * - A leader whose connection fails (or whose publish fails) stops leading at once, so two
 *   replicas never simulate at the same time for longer than one failed round.
 *
 * @module
 */

import pg from "pg";
import type { FeedHandlers, FeedRound, SharedFeed } from "../trading/ports.ts";

/** Options of the PostgreSQL feed. */
export interface PostgresFeedOptions {
  url: string;
  /** This replica's id (unique among the replicas; its own notifications are skipped). */
  replicaId: string;
  /** The symbol universe, so replicas of another universe ignore each other's rounds. */
  symbols: readonly string[];
  /** How often a follower tries to take the lead, and a lost connection is retried, in ms. */
  pollMs?: number;
}

/** The notification channel of the rounds. */
export const FEED_CHANNEL = "tradewatch_feed";
/** The advisory lock key of the feed's leadership (fixed forever). */
export const FEED_LOCK_KEY = 0x7466_6565;
/** Largest payload of one notification part (PostgreSQL's limit is 8,000 bytes). */
const MAX_PAYLOAD = 7_800;

/** One notification: a whole round, or part `p` of `n` starting at symbol `o`. */
interface Message {
  /** Sender's replica id. */
  r: string;
  /** Universe fingerprint. */
  u: string;
  s: number;
  o: number;
  p: number;
  n: number;
  m: readonly number[];
  e: readonly number[];
}

function fingerprint(symbols: readonly string[]): string {
  let h = 0x811c9dc5;
  for (const ch of symbols.join(",")) h = Math.imul(h ^ ch.charCodeAt(0), 0x01000193) >>> 0;
  return `${symbols.length}:${h.toString(36)}`;
}

/** The rounds' notifications: one, or several parts of at most {@link MAX_PAYLOAD} bytes. */
export function encodeRound(replicaId: string, universe: string, round: FeedRound): string[] {
  const whole = JSON.stringify(
    {
      r: replicaId,
      u: universe,
      s: round.seq,
      o: 0,
      p: 0,
      n: 1,
      m: round.mids,
      e: round.exchangeTimes,
    } satisfies Message,
  );
  if (whole.length <= MAX_PAYLOAD) return [whole];
  const per = Math.max(1, Math.floor(round.mids.length * (MAX_PAYLOAD - 200) / whole.length));
  const n = Math.ceil(round.mids.length / per);
  const out: string[] = [];
  for (let p = 0; p < n; p++) {
    const o = p * per;
    out.push(JSON.stringify(
      {
        r: replicaId,
        u: universe,
        s: round.seq,
        o,
        p,
        n,
        m: round.mids.slice(o, o + per),
        e: round.exchangeTimes.slice(o, o + per),
      } satisfies Message,
    ));
  }
  return out;
}

/** A market feed led and distributed through PostgreSQL. */
export class PostgresFeed implements SharedFeed {
  readonly #options: PostgresFeedOptions;
  readonly #universe: string;
  readonly #pollMs: number;
  #client: pg.Client | null = null;
  #handlers: FeedHandlers | null = null;
  #leading = false;
  #connected = false;
  #closed = false;
  #timer: ReturnType<typeof setTimeout> | undefined;
  /** A cycle is running (it schedules the next one when it ends). */
  #busy = false;
  /** Parts of the round being assembled. */
  #parts: { seq: number; got: number; mids: number[]; times: number[] } | null = null;

  constructor(options: PostgresFeedOptions) {
    this.#options = options;
    this.#universe = fingerprint(options.symbols);
    this.#pollMs = options.pollMs ?? 250;
  }

  get leading(): boolean {
    return this.#leading;
  }

  get connected(): boolean {
    return this.#connected;
  }

  start(handlers: FeedHandlers): void {
    this.#handlers = handlers;
    void this.#cycle();
  }

  /** One step: connect if needed, try to lead if following; then wait `pollMs`. */
  async #cycle(): Promise<void> {
    this.#timer = undefined;
    if (this.#closed) return;
    this.#busy = true;
    try {
      const client = this.#client ?? await this.#connect();
      if (!this.#leading) {
        const r = await client.query<{ ok: boolean }>(
          "SELECT pg_try_advisory_lock($1) AS ok",
          [FEED_LOCK_KEY],
        );
        if (r.rows[0]?.ok === true && !this.#closed && this.#client === client) {
          this.#setLeading(true);
        }
      }
    } catch {
      this.#drop();
    } finally {
      this.#busy = false;
    }
    this.#schedule();
  }

  /**
   * The next cycle in `pollMs` while following, unless one is running or due already: one loop,
   * however many failures report at once.
   */
  #schedule(): void {
    if (this.#closed || this.#leading || this.#busy || this.#timer !== undefined) return;
    this.#timer = setTimeout(() => this.#cycle(), this.#pollMs);
  }

  async #connect(): Promise<pg.Client> {
    const client = new pg.Client({
      connectionString: this.#options.url,
      application_name: "tradewatch-feed",
      keepAlive: true,
      connectionTimeoutMillis: 2000,
      query_timeout: 2000,
    });
    client.on("error", () => {
      if (this.#client === client) this.#drop();
    });
    client.on("end", () => {
      if (this.#client === client) this.#drop();
    });
    client.on("notification", (n) => {
      if (n.channel === FEED_CHANNEL && n.payload !== undefined) this.#receive(n.payload);
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${FEED_CHANNEL}`);
    } catch (error) {
      client.end().catch(() => {});
      throw error;
    }
    if (this.#closed) {
      await client.end().catch(() => {});
      throw new Error("closed");
    }
    this.#client = client;
    this.#connected = true;
    return client;
  }

  /** Forgets a failed connection (and the leadership it held) and retries later. */
  #drop(): void {
    const client = this.#client;
    this.#client = null;
    this.#connected = false;
    this.#parts = null;
    if (client !== null) client.end().catch(() => {});
    if (this.#leading) this.#setLeading(false);
    this.#schedule();
  }

  #setLeading(leading: boolean): void {
    this.#leading = leading;
    this.#handlers?.lead(leading);
  }

  publish(round: FeedRound): void {
    const client = this.#client;
    if (!this.#leading || client === null) return;
    for (const payload of encodeRound(this.#options.replicaId, this.#universe, round)) {
      client.query("SELECT pg_notify($1, $2)", [FEED_CHANNEL, payload]).catch(() => {
        // A leader that cannot publish must not go on simulating alone.
        if (this.#client === client) this.#drop();
      });
    }
  }

  #receive(payload: string): void {
    if (this.#leading) return;
    let m: Message;
    try {
      m = JSON.parse(payload) as Message;
    } catch {
      return;
    }
    if (m.r === this.#options.replicaId || m.u !== this.#universe) return;
    if (m.n === 1) {
      this.#handlers?.round({ seq: m.s, mids: m.m, exchangeTimes: m.e });
      return;
    }
    let parts = this.#parts;
    if (parts === null || parts.seq !== m.s) {
      parts = { seq: m.s, got: 0, mids: [], times: [] };
      this.#parts = parts;
    }
    for (let i = 0; i < m.m.length; i++) {
      parts.mids[m.o + i] = m.m[i];
      parts.times[m.o + i] = m.e[i];
    }
    if (++parts.got === m.n) {
      this.#parts = null;
      this.#handlers?.round({ seq: m.s, mids: parts.mids, exchangeTimes: parts.times });
    }
  }

  async close(): Promise<void> {
    this.#closed = true;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    const client = this.#client;
    this.#client = null;
    this.#connected = false;
    this.#leading = false;
    // Ending the session frees the advisory lock: a follower takes over at its next try.
    if (client !== null) await client.end().catch(() => {});
  }
}
