/**
 * One writer per SQLite file: an exclusive `flock` on a side file (`DB.lock`) taken at start
 * with `Deno.FsFile.tryLockSync`. The kernel drops the lock with its holder's last descriptor, so
 * a process killed with `kill -9` never leaves the file locked; a second process on the same file
 * is refused with the holder's PID. (SQLite's `locking_mode=EXCLUSIVE` would also lock out the
 * store's own pooled connections and checkpoint worker.) The lock file is left in place: an
 * empty file holding the last PID.
 *
 * @module
 */

/** Another process holds the writer lock of the database. */
export class DatabaseInUseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "DatabaseInUseError";
  }
}

/** A held writer lock. */
export interface WriterLock {
  /** The lock file. */
  readonly path: string;
  /** Releases the lock (idempotent). */
  release(): void;
}

/**
 * Takes the writer lock of the database at `dbPath`.
 * @throws {DatabaseInUseError} when another process holds it
 */
export function acquireWriterLock(dbPath: string): WriterLock {
  const path = `${dbPath}.lock`;
  const file = Deno.openSync(path, { read: true, write: true, create: true });
  let locked = false;
  try {
    locked = file.tryLockSync(true);
  } catch (error) {
    file.close();
    throw error;
  }
  if (!locked) {
    let holder = "";
    try {
      holder = new TextDecoder().decode(Deno.readFileSync(path)).trim();
    } catch {
      // The message does without the PID.
    }
    file.close();
    const pid = /^\d{1,10}$/.test(holder) ? ` (PID ${holder})` : "";
    throw new DatabaseInUseError(
      `the database ${dbPath} is in use by another tradewatch process${pid}: ` +
        `one process per database file (the lock ${path} is held); stop it or pass another --db`,
    );
  }
  file.truncateSync(0);
  file.writeSync(new TextEncoder().encode(`${Deno.pid}\n`));
  let released = false;
  return {
    path,
    release() {
      if (released) return;
      released = true;
      try {
        file.unlockSync();
      } finally {
        file.close();
      }
    },
  };
}
