/**
 * The two load models.
 *
 * - Open model (`--rate`): requests are due at a schedule of intended send times, whatever the
 *   answers do. Latency is measured from each request's intended send time, so a slow server (or
 *   a late client) shows up in the figures instead of being hidden ("coordinated omission",
 *   corrected as in wrk2). At most `maxInFlight` requests are in flight; a due request that finds
 *   them all busy waits in a backlog (its wait counts in its latency) and is dropped (counted)
 *   when it has waited longer than the timeout, or is still waiting 1 s after the end of a
 *   duration run.
 * - Closed model (`--concurrency`): N workers each send a request and wait for its answer;
 *   latency is measured from the actual send.
 *
 * Two schedulers for the open model: "spin" (the default) sleeps on a timer until ~2 ms before
 * the next send, then yields with `setImmediate` until it is due (a full core at high rates,
 * sends within microseconds of schedule); "timer" sleeps on `setTimeout` only (cheap, but sends
 * go out up to ~1–2 ms late, in batches). Lateness is measured and reported either way.
 *
 * @module
 */
import { setImmediate } from "node:timers";
import { type Endpoint, HttpConnection, RequestError } from "./http_client.ts";
import type { ParsedResponse } from "./response_parser.ts";
import { ArrivalSchedule, peakRate, type RateShape } from "./rate_shape.ts";
import type { PlannedRequest, RequestFactory } from "./scenarios.ts";
import type { Stats } from "./stats.ts";

/** Open-model scheduler. */
export type SchedulerKind = "spin" | "timer";

/** What every run needs. */
export interface RunContext {
  endpoint: Endpoint;
  factory: RequestFactory;
  stats: Stats;
  /** A request without an answer after this long fails with "timeout". */
  timeoutMs: number;
  /** Called after each request (for one-line-per-request output); `result` is a status or error. */
  onResult?: (seq: number, req: PlannedRequest, result: number | RequestError) => void;
}

/** Open-model parameters. */
export interface OpenPlan {
  shape: RateShape;
  /** Stop scheduling after this long (ms), or after `requests` sends; at least one is set. */
  durationMs?: number;
  requests?: number;
  maxInFlight: number;
  scheduler: SchedulerKind;
  /** A send later than this after its intended time counts as late. */
  lateThresholdMs: number;
  /** One of several threads: every `stride`-th send of the shape from the `offset`-th. */
  stride?: number;
  offset?: number;
  /** `performance.now()` at which the clock starts (threads start together); default now. */
  startAt?: number;
}

/** Closed-model parameters. */
export interface ClosedPlan {
  concurrency: number;
  durationMs?: number;
  requests?: number;
  /** `performance.now()` at which the clock starts (threads start together); default now. */
  startAt?: number;
}

/** Open model: connections opened before the start (one below 1,000 requests/s). */
const WARM_CONNECTIONS = 4;
/** Open model, duration runs: how long sends still waiting at the end may go out late. */
const END_GRACE_MS = 1000;
/** Open model: sends waiting for a connection at most (beyond, they are dropped). */
const MAX_BACKLOG = 1_000_000;
/** Open model: at most this many new connections making their first request at once. */
const MAX_FRESH = 8;
/**
 * Open model: at most this many due sends handled before the loop yields to the event loop
 * (timers, signals, answers), however far behind schedule it is.
 */
const MAX_DUE_PER_TURN = 4096;
/** Longest single timer (setTimeout overflows past 2^31 - 1 ms and would fire at once). */
const MAX_SLEEP_MS = 1000;
/**
 * Duration runs: answers still awaited this long after the end (and after the open model's
 * grace for waiting sends) are abandoned, as wrk does: the run stops at its duration.
 */
const END_ABANDON_MS = 2 * END_GRACE_MS;

const immediate = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Runs one load model against one target; {@link Runner.stop} interrupts it. */
export class Runner {
  /** Requests in flight now. */
  inFlight = 0;
  /** `performance.now()` at the start of the run. */
  startedAt = 0;
  /** `performance.now()` when the last request ended. */
  lastDoneAt = 0;
  /** `performance.now()` of the first and last actual sends. */
  firstSentAt = -1;
  lastSentAt = -1;
  /** Open model: requests waiting for a free connection now. */
  backlog = 0;

  readonly #ctx: RunContext;
  readonly #conns: HttpConnection[] = [];
  #stopped = false;
  /** Past the end of a duration run: answers still awaited are abandoned, not counted. */
  #abandoned = false;
  #seq = 0;
  #wake: (() => void) | null = null;
  /** Resolves at stop() or when a duration run abandons what it still awaits. */
  #halt!: () => void;
  readonly #halted = new Promise<void>((resolve) => (this.#halt = resolve));
  /** `performance.now()` when the run returned. */
  endedAt = 0;

  /** Create a runner. */
  constructor(ctx: RunContext) {
    this.#ctx = ctx;
  }

  /** True once {@link Runner.stop} was called. */
  get interrupted(): boolean {
    return this.#stopped;
  }

  /** Connections used, and how many times they had to (re)connect. */
  get connections(): { used: number; connects: number } {
    let connects = 0;
    for (const c of this.#conns) connects += c.connects;
    return { used: this.#conns.length, connects };
  }

  /** Interrupt: stop sending and abandon the requests in flight (they are not counted). */
  stop(): void {
    if (this.#stopped) return;
    this.#stopped = true;
    for (const c of this.#conns) c.close();
    this.#wake?.();
    this.#halt();
  }

  /** Requests abandoned in flight at the end of a duration run (not counted as answers). */
  abandonedInFlight = 0;

  /** End of a duration run: abandon the answers still awaited. */
  #abandon(): void {
    if (this.#stopped || this.#abandoned) return;
    this.#abandoned = true;
    this.abandonedInFlight = this.inFlight;
    for (const c of this.#conns) c.close();
    this.#wake?.();
    this.#halt();
  }

  #abandonTimer(durationMs: number | undefined): ReturnType<typeof setTimeout> | undefined {
    if (durationMs === undefined) return undefined;
    return setTimeout(() => this.#abandon(), durationMs + END_ABANDON_MS);
  }

  /** Run the open model to its end. */
  async runOpen(plan: OpenPlan): Promise<void> {
    const ctx = this.#ctx;
    const stats = ctx.stats;
    const schedule = new ArrivalSchedule(plan.shape, plan.stride ?? 1, plan.offset ?? 0);
    const lateUs = plan.lateThresholdMs * 1000;
    const idle: HttpConnection[] = [];
    // Backlog of intended send times (a FIFO queue on an array with a moving head).
    let queue: number[] = [];
    let head = 0;
    let draining = false;
    let drained: (() => void) | null = null;

    const finish = (conn: HttpConnection) => {
      fresh.delete(conn);
      // A connection is free: serve the backlog first, oldest first.
      while (head < queue.length && !this.#stopped && !this.#abandoned) {
        const intended = queue[head++];
        this.backlog--;
        if (draining || performance.now() - intended > ctx.timeoutMs) {
          stats.dropped++;
          continue;
        }
        send(conn, intended);
        return;
      }
      if (head > 4096 && head * 2 > queue.length) {
        queue = queue.slice(head);
        head = 0;
      }
      idle.push(conn);
      if (drained && this.inFlight === 0) drained();
    };
    const send = (conn: HttpConnection, intended: number) => {
      const req = ctx.factory.next();
      const now = performance.now();
      stats.noteSent(req, Math.round((now - intended) * 1000), lateUs);
      const seq = this.#begin(now);
      conn.request(req.bytes, req.keepBody, req.idempotent, now).then((res) => {
        this.#ok(seq, req, res, intended, now);
        finish(conn);
      }, (e) => {
        this.#err(seq, req, e);
        finish(conn);
      });
    };
    // New connections are opened only a few at a time: at high rates, opening one per due
    // request while the first connects are under way snowballs into hundreds of connections.
    const fresh = new Set<HttpConnection>();
    const due = (intended: number) => {
      let conn = idle.pop();
      if (
        conn === undefined && this.#conns.length < plan.maxInFlight && fresh.size < MAX_FRESH
      ) {
        conn = this.#newConn();
        fresh.add(conn);
      }
      if (conn === undefined) {
        if (this.backlog >= MAX_BACKLOG) {
          stats.dropped++; // a rate far beyond what the target answers: bound the memory
          return;
        }
        queue.push(intended);
        this.backlog++;
      } else {
        send(conn, intended);
      }
    };

    // Warm up a few connections before the clock starts.
    const warm = Array.from(
      { length: Math.min(plan.maxInFlight, peakRate(plan.shape) >= 1000 ? WARM_CONNECTIONS : 1) },
      () => this.#newConn(),
    );
    // Bounded: a target that accepts no connection must not hold the run before its start.
    await Promise.race([
      Promise.all(warm.map((c) => c.connect().catch(() => {}))),
      this.#sleep(Math.min(ctx.timeoutMs, MAX_SLEEP_MS)),
    ]);
    idle.push(...warm);
    await this.#waitFor(plan.startAt);
    await this.#supervised(plan.durationMs, async () => {
      const start = Math.min(plan.startAt ?? Infinity, performance.now());
      this.startedAt = start;
      stats.origin = start;
      const endAt = plan.durationMs === undefined ? Infinity : start + plan.durationMs;
      let remaining = plan.requests ?? Infinity;
      let nextAt = start + schedule.next();
      while (!this.#stopped && remaining > 0 && nextAt < endAt) {
        const now = performance.now();
        let turn = 0;
        while (nextAt <= now && remaining > 0 && nextAt < endAt && turn++ < MAX_DUE_PER_TURN) {
          due(nextAt);
          remaining--;
          nextAt = start + schedule.next();
        }
        if (remaining <= 0 || nextAt >= endAt) break;
        const wait = nextAt - performance.now();
        if (wait <= 0) {
          await immediate(); // behind schedule: catch up, but let timers and signals run
        } else if (plan.scheduler === "timer") {
          if (wait > 0) await this.#sleep(wait);
        } else if (wait > 3) {
          await this.#sleep(wait - 2);
        } else {
          await immediate();
        }
      }
      // A duration run ends at its end time. Sends still waiting for a connection then get a
      // short grace (a stall of the event loop at the very end should make sends late, not
      // dropped); what is left after it is dropped.
      if (plan.durationMs !== undefined && !this.#stopped) {
        while (!this.#stopped && performance.now() < endAt) {
          await this.#sleep(endAt - performance.now());
        }
        const graceEnd = performance.now() + Math.min(ctx.timeoutMs, END_GRACE_MS);
        while (head < queue.length && !this.#stopped && performance.now() < graceEnd) {
          await this.#sleep(Math.min(10, graceEnd - performance.now()));
        }
        draining = true;
        stats.dropped += queue.length - head;
        this.backlog = 0;
        queue = [];
        head = 0;
      }
      if (!this.#stopped && !this.#abandoned && (this.inFlight > 0 || head < queue.length)) {
        await new Promise<void>((resolve) => {
          drained = resolve;
          this.#wake = resolve;
        });
      }
    });
  }

  /** Run the closed model to its end. */
  async runClosed(plan: ClosedPlan): Promise<void> {
    const ctx = this.#ctx;
    await this.#waitFor(plan.startAt);
    const start = Math.min(plan.startAt ?? Infinity, performance.now());
    this.startedAt = start;
    ctx.stats.origin = start;
    const endAt = plan.durationMs === undefined ? Infinity : start + plan.durationMs;
    let remaining = plan.requests ?? Infinity;
    const worker = async () => {
      const conn = this.#newConn();
      // One clock read per request: the end of an answer is the start of the next request.
      let now = performance.now();
      while (!this.#stopped && !this.#abandoned && remaining > 0 && now < endAt) {
        remaining--;
        const req = ctx.factory.next();
        ctx.stats.noteSent(req, -1, 0);
        const seq = this.#begin(now);
        let res: ParsedResponse;
        try {
          res = await conn.request(req.bytes, req.keepBody, req.idempotent, now);
        } catch (e) {
          this.#err(seq, req, e);
          now = performance.now();
          continue;
        }
        now = this.#ok(seq, req, res, now, now);
      }
    };
    await this.#supervised(plan.durationMs, async () => {
      // Not waiting on the workers once halted: a request may still be settling.
      await Promise.race([
        Promise.all(Array.from({ length: plan.concurrency }, worker)),
        this.#halted,
      ]);
    });
  }

  /**
   * Run `body` under the watchdog and the abandon timer of a run lasting `durationMs`; after it,
   * however it ends, stop both, close every connection and note the end time.
   */
  async #supervised(durationMs: number | undefined, body: () => Promise<void>): Promise<void> {
    const watchdog = this.#startWatchdog();
    const abandonTimer = this.#abandonTimer(durationMs);
    try {
      await body();
    } finally {
      clearInterval(watchdog);
      clearTimeout(abandonTimer);
      this.#closeAll();
      this.endedAt = performance.now();
    }
  }

  // The bookkeeping of one request, kept synchronous: an async frame per request costs more
  // than everything recorded here.
  #begin(sentAt: number): number {
    if (this.firstSentAt < 0) this.firstSentAt = sentAt;
    this.lastSentAt = sentAt;
    this.inFlight++;
    return ++this.#seq;
  }

  /** Record an answer; returns the time it was recorded. */
  #ok(
    seq: number,
    req: PlannedRequest,
    res: ParsedResponse,
    intendedAt: number,
    sentAt: number,
  ): number {
    this.inFlight--;
    const ctx = this.#ctx;
    const done = performance.now();
    this.lastDoneAt = done;
    ctx.stats.recordResponse(
      req,
      res.status,
      Math.round((done - intendedAt) * 1000),
      Math.round((done - sentAt) * 1000),
      done,
    );
    if (req.keepBody) ctx.factory.observe(req, res.status, res.body);
    ctx.onResult?.(seq, req, res.status);
    return done;
  }

  #err(seq: number, req: PlannedRequest, e: unknown): void {
    this.inFlight--;
    // Interrupted, or abandoned at the end of a duration run: not a failure of the target.
    if (this.#stopped || this.#abandoned) return;
    const ctx = this.#ctx;
    const err = e instanceof RequestError ? e : new RequestError("closed", String(e));
    this.lastDoneAt = performance.now();
    ctx.stats.recordError(req, err.kind);
    ctx.onResult?.(seq, req, err);
  }

  #newConn(): HttpConnection {
    const c = new HttpConnection(this.#ctx.endpoint);
    this.#conns.push(c);
    return c;
  }

  /** Sleep until `performance.now()` reaches `t` (or stop()). */
  async #waitFor(t: number | undefined): Promise<void> {
    while (t !== undefined && !this.#stopped && performance.now() < t) {
      await this.#sleep(t - performance.now());
    }
  }

  #sleep(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const id = setTimeout(() => {
        this.#wake = null;
        resolve();
      }, Math.min(ms, MAX_SLEEP_MS));
      this.#wake = () => {
        clearTimeout(id);
        this.#wake = null;
        resolve();
      };
    });
  }

  #startWatchdog(): ReturnType<typeof setInterval> {
    const timeout = this.#ctx.timeoutMs;
    return setInterval(() => {
      const now = performance.now();
      for (const c of this.#conns) {
        if (c.busySince >= 0 && now - c.busySince > timeout) c.abort("timeout");
      }
    }, Math.max(10, Math.min(250, timeout / 4)));
  }

  #closeAll(): void {
    for (const c of this.#conns) c.close();
  }
}
