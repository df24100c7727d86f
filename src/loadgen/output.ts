/**
 * Writing what a run produced (stdout, `--json FILE`, `--report FILE`) without losing an earlier
 * report: files are written next to their destination and renamed over it once complete, so a
 * run that fails (or is killed) before producing its report leaves an existing file as it was.
 * Destinations that are not regular files (`/dev/stdout`, `/dev/full`, a FIFO) are written in
 * place. Every failure is an {@link OutputError} (a message and exit 2, not a stack trace).
 *
 * @module
 */

/** A report or summary that could not be written. */
export class OutputError extends Error {
  /** Create the error. */
  constructor(message: string) {
    super(message);
    this.name = "OutputError";
  }
}

const encoder = new TextEncoder();
const reason = (e: unknown) => (e instanceof Error ? e.message : String(e));

function writeAllSync(w: { writeSync(p: Uint8Array): number }, bytes: Uint8Array): void {
  let off = 0;
  while (off < bytes.length) off += w.writeSync(bytes.subarray(off));
}

/** Write `text` to stdout; throws {@link OutputError} (e.g. stdout is `/dev/full`). */
export function writeStdout(text: string): void {
  try {
    writeAllSync(Deno.stdout, encoder.encode(text));
  } catch (e) {
    throw new OutputError(`Cannot write to stdout: ${reason(e)}`);
  }
}

function dirOf(path: string): string {
  const i = path.lastIndexOf("/");
  return i < 0 ? "." : i === 0 ? "/" : path.slice(0, i);
}

function statOrNull(path: string): Deno.FileInfo | null {
  try {
    return Deno.statSync(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return null;
    throw e;
  }
}

/**
 * Check before a run that `path` can be written, without touching an existing file's content:
 * an existing file must open for writing, a new one's directory must take a new file.
 */
export function checkWritable(path: string, flag: string): void {
  try {
    const info = statOrNull(path);
    if (info !== null) {
      if (info.isDirectory) throw new Error("is a directory");
      Deno.openSync(path, { write: true }).close();
      if (info.isFile) probeDir(dirOf(path));
    } else {
      probeDir(dirOf(path));
    }
  } catch (e) {
    throw new OutputError(`Cannot write ${flag} to ${path}: ${reason(e)}`);
  }
}

function probeDir(dir: string): void {
  const probe = Deno.makeTempFileSync({ dir, prefix: ".tradewatch-loadgen-" });
  Deno.removeSync(probe);
}

/** Write `text` to `path`: atomically for regular files (see the module documentation). */
export function writeReportFile(path: string, text: string, flag: string): void {
  const bytes = encoder.encode(text);
  try {
    const info = statOrNull(path);
    if (info !== null && !info.isFile) {
      const f = Deno.openSync(path, { write: true });
      try {
        writeAllSync(f, bytes);
      } finally {
        f.close();
      }
      return;
    }
    const tmp = Deno.makeTempFileSync({ dir: dirOf(path), prefix: ".tradewatch-loadgen-" });
    try {
      Deno.writeFileSync(tmp, bytes);
      if (info !== null) Deno.chmodSync(tmp, info.mode! & 0o777);
      else Deno.chmodSync(tmp, 0o644);
      Deno.renameSync(tmp, path);
    } catch (e) {
      try {
        Deno.removeSync(tmp);
      } catch { /* gone already */ }
      throw e;
    }
  } catch (e) {
    throw new OutputError(`Cannot write ${flag} to ${path}: ${reason(e)}`);
  }
}
