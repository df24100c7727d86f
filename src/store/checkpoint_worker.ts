/**
 * The WAL checkpointer, run as a Deno Worker (its own thread) with its own `node:sqlite`
 * connection to the store's database file. A checkpoint copies WAL pages into the database file
 * and fsyncs both (10–15 ms, more on a busy disk); on the store's writing connections that would
 * block the event loop, so they run with `wal_autocheckpoint=0` and this thread does the work.
 *
 * - Every `intervalMs`: `PRAGMA wal_checkpoint(PASSIVE)`. It takes no write lock, so commits go
 *   on meanwhile; when it catches up with a pause in the writes, the next commit starts the WAL
 *   over from its beginning.
 * - A writer that never pauses keeps the WAL growing, so once it holds more than
 *   `restartFrames` frames a RESTART checkpoint follows the passive one: it takes the write
 *   lock, copies what was committed since the passive step, fsyncs, and makes the next commit
 *   start the WAL over (measured about 10 ms of blocked commits on an idle disk, 30–60 ms on a
 *   busy one; the store waits for them on a timer, not on the event loop). The file keeps its
 *   size and is reused. (TRUNCATE here held the write lock about 40 ms on an idle disk:
 *   truncating a large WAL file is slow.) The default threshold, 128 MiB, makes that rare: under
 *   `wrk -t2 -c50` on POST /orders (about 25k orders/s) every 4–5 s.
 * - The first commit after the WAL starts over rewrites its header and fsyncs it (SQLite does
 *   that even with `synchronous=NORMAL`). So that this fsync happens here and not on the event
 *   loop, once a checkpoint has copied the whole WAL this thread commits first: one row of the
 *   `wal_restarts` table (best effort: a store commit may come first).
 * - When the writes have stopped (the WAL is unchanged and fully copied since the previous
 *   round) a TRUNCATE checkpoint gives the WAL file's space back.
 * - On "close" (the store's own connections are closed by then): a last TRUNCATE checkpoint,
 *   then this connection closes (the last one, which removes the WAL file) and "closed" is sent.
 *
 * Protocol: `checkpoint_protocol.ts`.
 *
 * @module
 */

/// <reference no-default-lib="true" />
/// <reference lib="deno.worker" />

import { DatabaseSync } from "node:sqlite";
import type {
  CheckpointCommand,
  CheckpointFailure,
  CheckpointMode,
  CheckpointReport,
  CheckpointStart,
} from "./checkpoint_protocol.ts";

/** Pause between attempts of a blocking checkpoint that found the database busy, in ms. */
const RETRY_PAUSE_MS = 0.2;
/** A fully copied WAL with more frames than this is started over by this thread's commit. */
const RESTART_COMMIT_FRAMES = 16;

let db: DatabaseSync | null = null;
let timer: ReturnType<typeof setInterval> | undefined;
let options: CheckpointStart | null = null;
/** The WAL's frame count seen by the previous passive checkpoint. */
let previousLog = -1;
const pause = new Int32Array(new SharedArrayBuffer(4));

function checkpoint(mode: CheckpointMode): CheckpointReport {
  const started = performance.now();
  const row = db!.prepare(`PRAGMA wal_checkpoint(${mode})`).get();
  return {
    type: "report",
    mode,
    busy: Number(row?.busy ?? 0),
    log: Number(row?.log ?? -1),
    checkpointed: Number(row?.checkpointed ?? -1),
    ms: performance.now() - started,
  };
}

/**
 * A RESTART or TRUNCATE checkpoint that never sleeps in SQLite's busy handler (whose back-off
 * grows to tens of ms, possibly while this connection holds the write lock): tried without
 * waiting (the connection's busy timeout is 0), then again after short pauses until it gets
 * through or `retryMs` has passed.
 */
function blocking(mode: "RESTART" | "TRUNCATE"): CheckpointReport {
  const deadline = performance.now() + options!.retryMs;
  for (;;) {
    const report = checkpoint(mode);
    if (report.busy === 0 || performance.now() > deadline) return report;
    Atomics.wait(pause, 0, 0, RETRY_PAUSE_MS);
  }
}

/**
 * Commits one small write without waiting for the lock: after a complete checkpoint it is the
 * commit that starts the WAL over (and fsyncs its new header) on this thread.
 */
function restartCommit(): void {
  try {
    db!.exec("BEGIN IMMEDIATE");
  } catch {
    return; // A store commit holds the lock; it starts the WAL over itself.
  }
  try {
    db!.exec(
      "INSERT INTO wal_restarts (id, count) VALUES (1, 1) " +
        "ON CONFLICT(id) DO UPDATE SET count = count + 1",
    );
    db!.exec("COMMIT");
  } catch (error) {
    if (db!.isTransaction) db!.exec("ROLLBACK");
    throw error;
  }
}

function fail(error: unknown, fatal = false): void {
  const message: CheckpointFailure = {
    type: "failure",
    message: error instanceof Error ? error.message : String(error),
    fatal,
  };
  self.postMessage(message);
}

/** One round: a passive checkpoint, then RESTART (WAL too long) or TRUNCATE (writes stopped). */
function round(id?: number): void {
  if (db === null || options === null) return;
  try {
    const passive = checkpoint("PASSIVE");
    if (id !== undefined) passive.id = id;
    self.postMessage(passive);
    const idle = passive.log > 0 && passive.log === previousLog &&
      passive.checkpointed === passive.log;
    previousLog = passive.log;
    if (passive.log > options.restartFrames) {
      const restart = blocking("RESTART");
      self.postMessage(restart);
      if (restart.busy === 0) restartCommit();
    } else if (idle) {
      self.postMessage(blocking("TRUNCATE"));
      previousLog = -1;
    } else if (passive.checkpointed === passive.log && passive.log > RESTART_COMMIT_FRAMES) {
      restartCommit();
    }
  } catch (error) {
    // An I/O error and the like: the next round tries again; the store counts it.
    fail(error);
  }
}

function close(): void {
  clearInterval(timer);
  timer = undefined;
  if (db !== null) {
    try {
      self.postMessage(blocking("TRUNCATE"));
    } catch (error) {
      fail(error);
    }
    try {
      db.close();
    } catch (error) {
      fail(error);
    }
    db = null;
  }
  self.postMessage("closed");
}

function start(message: CheckpointStart): void {
  try {
    options = message;
    db = new DatabaseSync(message.path);
    // Busy: PASSIVE never waits, RESTART/TRUNCATE retry in `blocking`.
    db.exec("PRAGMA busy_timeout = 0");
    // Its one-row commits need no fsync of their own (as the store's: `synchronous=NORMAL`),
    // and it must never checkpoint on commit.
    db.exec("PRAGMA synchronous = NORMAL");
    db.exec("PRAGMA wal_autocheckpoint = 0");
    timer = setInterval(round, message.intervalMs);
    self.postMessage("started");
  } catch (error) {
    try {
      db?.close();
    } catch {
      // The open failed; nothing more to release.
    }
    db = null;
    fail(error, true);
  }
}

self.onmessage = (event: MessageEvent<CheckpointCommand>) => {
  const message = event.data;
  if (message === "close") close();
  else if (message.type === "checkpoint") round(message.id);
  else start(message);
};
