/**
 * Messages between the store's `Checkpointer` (event-loop side) and `checkpoint_worker.ts`:
 * in `CheckpointCommand`, out `CheckpointMessage`.
 *
 * @module
 */

/** The checkpoint modes the worker runs. */
export type CheckpointMode = "PASSIVE" | "RESTART" | "TRUNCATE";

/** The first message to the worker: what to open and how often to checkpoint. */
export interface CheckpointStart {
  type: "start";
  /** The database file (the same string the store opened). */
  path: string;
  /** Period of the passive checkpoints, in ms. */
  intervalMs: number;
  /** WAL frames (seen by a passive checkpoint) above which a RESTART checkpoint follows. */
  restartFrames: number;
  /** How long a RESTART or TRUNCATE checkpoint keeps retrying while the database is busy, in ms. */
  retryMs: number;
}

/** The result of one checkpoint (the row of `PRAGMA wal_checkpoint`), with its duration. */
export interface CheckpointReport {
  type: "report";
  mode: CheckpointMode;
  /** 1 when a RESTART or TRUNCATE checkpoint could not finish (the database stayed busy). */
  busy: number;
  /** Frames in the WAL when it ran (-1: not in WAL mode). */
  log: number;
  /** Frames copied into the database file so far (-1: not in WAL mode). */
  checkpointed: number;
  /** How long it took, in ms (on the worker's thread). */
  ms: number;
  /** The id of the `CheckpointRequest` that asked for it (absent for timed rounds). */
  id?: number;
}

/** Asks the worker for one round now. */
export interface CheckpointRequest {
  type: "checkpoint";
  id: number;
}

/** An error in the worker (opening the database, a checkpoint that threw). */
export interface CheckpointFailure {
  type: "failure";
  message: string;
  /** True when the worker cannot work at all (it could not open the database). */
  fatal: boolean;
}

/** Everything the worker receives. */
export type CheckpointCommand = CheckpointStart | CheckpointRequest | "close";

/** Everything the worker posts. */
export type CheckpointMessage = CheckpointReport | CheckpointFailure | "started" | "closed";
