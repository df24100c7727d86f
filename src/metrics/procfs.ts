/**
 * The three process figures that only Linux's `/proc/self` knows: open descriptors, the
 * descriptor limit and the virtual memory size.
 *
 * Deno refuses every path under `/proc` unless the `--allow-all` flag itself was passed
 * (`check_special_file` in Deno's permissions: `--allow-read`, even `--allow-read=/proc/self`, is
 * not enough; only `/proc/…/environ` has a narrower rule). So under the shipped permissions the
 * files are read through libc instead (`opendir`/`readdir` on `/proc/self/fd`, `getrlimit`,
 * `/proc/self/statm`), with `--allow-ffi` scoped to libc's path: that is the flag `deno task
 * start`, the Dockerfile and `deno task compile` ship, in place of an unused `--allow-run`.
 *
 * Order of attempts: Deno's file API (works under `--allow-all`), then libc (works under the
 * shipped flags), else nothing: a figure that cannot be read is left out, never reported as 0.
 *
 * @module
 */

/** Where glibc lives in the Debian images (Deno's base image, distroless cc) and on the host. */
export const LIBC_PATHS: readonly string[] = [
  "/lib/x86_64-linux-gnu/libc.so.6",
  "/lib/aarch64-linux-gnu/libc.so.6",
];

/** Reads the `/proc/self` figures; each answers null when it cannot be read. */
export interface ProcReader {
  /** How the figures are read: Deno's file API, libc, or not at all. */
  readonly source: "deno" | "libc" | "none";
  openFds(): number | null;
  maxFds(): number | null;
  virtualMemoryBytes(): number | null;
  close(): void;
}

const RLIMIT_NOFILE = 7;
const SC_PAGESIZE = 30;
const O_RDONLY = 0;

function denoReader(): ProcReader | null {
  const readText = (path: string) => {
    try {
      return Deno.readTextFileSync(path);
    } catch {
      return null;
    }
  };
  const openFds = () => {
    try {
      let n = 0;
      for (const _ of Deno.readDirSync("/proc/self/fd")) n++;
      return n - 1; // the directory handle being read
    } catch {
      return null;
    }
  };
  if (openFds() === null) return null;
  return {
    source: "deno",
    openFds,
    maxFds() {
      const m = readText("/proc/self/limits")?.match(/^Max open files\s+(\d+)/m);
      return m ? Number(m[1]) : null;
    },
    virtualMemoryBytes() {
      const m = readText("/proc/self/status")?.match(/^VmSize:\s+(\d+)\s+kB/m);
      return m ? Number(m[1]) * 1024 : null;
    },
    close() {},
  };
}

const LIBC_SYMBOLS = {
  opendir: { parameters: ["buffer"], result: "pointer" },
  readdir: { parameters: ["pointer"], result: "pointer" },
  closedir: { parameters: ["pointer"], result: "i32" },
  getrlimit: { parameters: ["i32", "buffer"], result: "i32" },
  open: { parameters: ["buffer", "i32"], result: "i32" },
  read: { parameters: ["i32", "buffer", "usize"], result: "isize" },
  close: { parameters: ["i32"], result: "i32" },
  sysconf: { parameters: ["i32"], result: "i64" },
} as const;

function cString(s: string): Uint8Array<ArrayBuffer> {
  return new TextEncoder().encode(`${s}\0`) as Uint8Array<ArrayBuffer>;
}

function libcReader(): ProcReader | null {
  if (Deno.build.os !== "linux" || typeof Deno.dlopen !== "function") return null;
  for (const path of LIBC_PATHS) {
    let granted = false;
    try {
      granted = Deno.permissions.querySync({ name: "ffi", path }).state === "granted";
    } catch { /* no permissions API: treat as refused */ }
    if (!granted) continue;
    let lib: Deno.DynamicLibrary<typeof LIBC_SYMBOLS>;
    try {
      lib = Deno.dlopen(path, LIBC_SYMBOLS);
    } catch {
      continue; // not there (other architecture)
    }
    const c = lib.symbols;
    const fdDir = cString("/proc/self/fd");
    const statm = cString("/proc/self/statm");
    const page = Number(c.sysconf(SC_PAGESIZE));
    const buf = new Uint8Array(256);
    const limit = new BigUint64Array(2);
    let open = true; // a call into a closed library would crash the process
    const reader: ProcReader = {
      source: "libc",
      openFds() {
        if (!open) return null;
        const dir = c.opendir(fdDir);
        if (dir === null) return null;
        let n = 0;
        while (c.readdir(dir) !== null) n++;
        c.closedir(dir);
        return n - 3; // ".", ".." and the directory handle being read
      },
      maxFds() {
        if (!open) return null;
        return c.getrlimit(RLIMIT_NOFILE, limit) === 0 ? Number(limit[0]) : null;
      },
      virtualMemoryBytes() {
        if (!open) return null;
        const fd = c.open(statm, O_RDONLY);
        if (fd < 0) return null;
        const n = Number(c.read(fd, buf, BigInt(buf.length)));
        c.close(fd);
        if (n <= 0 || !(page > 0)) return null;
        const pages = Number(new TextDecoder().decode(buf.subarray(0, n)).split(" ")[0]);
        return Number.isFinite(pages) ? pages * page : null;
      },
      close() {
        if (open) lib.close();
        open = false;
      },
    };
    if (reader.openFds() !== null) return reader;
    reader.close();
  }
  return null;
}

/** The best reader the process's permissions allow. */
export function openProcReader(): ProcReader {
  return denoReader() ?? libcReader() ?? {
    source: "none",
    openFds: () => null,
    maxFds: () => null,
    virtualMemoryBytes: () => null,
    close() {},
  };
}
