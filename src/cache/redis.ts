/**
 * The Redis read cache (`npm:redis`): the same `ReadCache` port as the in-process cache, so
 * replicas share quotes and positions reads. Values are JSON under a key prefix, with `PX`
 * expiry. Commands issued in one event-loop turn go out in one write (node-redis pipelines
 * automatically).
 *
 * Degrades, never fails: when Redis is down or slow (no offline queue, a per-command timeout),
 * a `get` is a miss and a `set`/`delete` is skipped, so a Redis outage costs hit rate, never a
 * 5xx. The client reconnects on its own; `available` says whether it is connected now
 * (`/ready` reports it).
 *
 * @module
 */

import { createClient } from "redis";
import type { ReadCache } from "../trading/ports.ts";
import { redactUrl } from "../redact.ts";

/** Options of the Redis cache. */
export interface RedisCacheOptions {
  /** `redis://host:port[/db]` */
  url: string;
  /** Key prefix (default `tradewatch:`). */
  prefix?: string;
  /** Per-command timeout in ms (default 250): a slower answer counts as a miss. */
  timeoutMs?: number;
}

function connect(url: string) {
  let connected = false;
  const client = createClient({
    url,
    disableOfflineQueue: true,
    socket: {
      connectTimeout: 2000,
      // The first connection fails fast (a wrong URL is reported at start); after that the
      // client retries forever, backing off to once a second.
      reconnectStrategy: (retries: number, cause: Error) =>
        connected ? Math.min(50 * 2 ** retries, 1000) : cause,
    },
  });
  client.on("ready", () => (connected = true));
  return client;
}

type Client = ReturnType<typeof connect>;

/** A `ReadCache` on Redis. */
export class RedisCache implements ReadCache {
  readonly #client: Client;
  readonly #fast: Client;
  readonly #prefix: string;
  #closed = false;
  /** Lookups that found a value in Redis. */
  hits = 0;
  /** Lookups that found nothing, or could not ask Redis. */
  misses = 0;
  /** Commands that failed (Redis down or too slow). */
  errors = 0;

  private constructor(client: Client, options: RedisCacheOptions) {
    this.#client = client;
    this.#fast = client.withCommandOptions({ timeout: options.timeoutMs ?? 250 }) as Client;
    this.#prefix = options.prefix ?? "tradewatch:";
  }

  /**
   * Connects (rejecting when Redis cannot be reached at start, so a wrong URL is reported
   * then) and answers the cache; later outages degrade to misses.
   */
  static async open(options: RedisCacheOptions): Promise<RedisCache> {
    const client = connect(options.url);
    // Connection errors are reported by `available`; without a listener they would throw.
    client.on("error", () => {});
    try {
      await client.connect();
    } catch (error) {
      client.destroy();
      throw new Error(`Cannot connect to Redis at ${redactUrl(options.url)}: ${String(error)}`, {
        cause: error,
      });
    }
    return new RedisCache(client, options);
  }

  /** Whether the client is connected to Redis right now. */
  get available(): boolean {
    return !this.#closed && this.#client.isReady;
  }

  /** Answers PONG within the timeout. */
  async ping(): Promise<boolean> {
    if (!this.available) return false;
    try {
      return (await this.#fast.ping()) === "PONG";
    } catch {
      return false;
    }
  }

  async get<T>(key: string): Promise<T | undefined> {
    if (!this.available) {
      this.misses++;
      return undefined;
    }
    try {
      const raw = await this.#fast.get(this.#prefix + key);
      if (raw === null) {
        this.misses++;
        return undefined;
      }
      this.hits++;
      return JSON.parse(raw) as T;
    } catch {
      this.errors++;
      this.misses++;
      return undefined;
    }
  }

  async set<T>(key: string, value: T, ttlMs: number): Promise<void> {
    if (!this.available) return;
    try {
      if (ttlMs > 0) {
        await this.#fast.set(this.#prefix + key, JSON.stringify(value), {
          expiration: { type: "PX", value: Math.ceil(ttlMs) },
        });
      } else await this.#fast.del(this.#prefix + key);
    } catch {
      this.errors++;
    }
  }

  async delete(key: string): Promise<void> {
    if (!this.available) return;
    try {
      await this.#fast.del(this.#prefix + key);
    } catch {
      this.errors++;
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    try {
      if (this.#client.isOpen) await this.#client.close();
    } catch {
      this.#client.destroy();
    }
  }
}
