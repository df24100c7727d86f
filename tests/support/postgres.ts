/**
 * A private PostgreSQL for tests: `initdb` in a temp dir, a free port on 127.0.0.1, the socket
 * in the data dir, started with `pg_ctl -w` and stopped by the postmaster's PID. As root (CI and
 * these machines) the cluster runs as the `postgres` user, since initdb refuses root.
 *
 * `startPostgres()` answers null, after printing why, where no cluster can start (no binaries, no
 * `postgres` user): tests then skip with that visible message (`ignore: PG === null`).
 *
 * @module
 */

import { freePort } from "./ports.ts";

/** Where Debian puts the PostgreSQL 15 binaries (override with PG_BIN). */
const PG_BIN = Deno.env.get("PG_BIN") ?? "/usr/lib/postgresql/15/bin";

/** A running private cluster. */
export interface PrivatePostgres {
  port: number;
  dir: string;
  /** `postgres://postgres@127.0.0.1:PORT/postgres` */
  url: string;
  /** The postmaster's PID (read from postmaster.pid after each start). */
  pid(): number;
  /** Runs SQL through psql (in database `db`, default postgres); answers its output. */
  sql(query: string, db?: string): Promise<string>;
  /** A fresh database; answers its URL. */
  createDatabase(name: string): Promise<string>;
  /** Fast shutdown (SIGINT to the postmaster), waiting until it is gone. */
  stop(): Promise<void>;
  /** SIGKILL to the postmaster (crash); the next start runs recovery. */
  kill(): Promise<void>;
  /** Starts the cluster again on the same port and directory. */
  start(): Promise<void>;
  /** Stops the cluster and removes its directory. */
  destroy(): Promise<void>;
}

const asRoot = Deno.uid() === 0;

async function run(cmd: string, args: string[]): Promise<{ ok: boolean; out: string }> {
  const [c, a] = asRoot ? ["runuser", ["-u", "postgres", "--", cmd, ...args]] : [cmd, args];
  try {
    const r = await new Deno.Command(c, { args: a, stdout: "piped", stderr: "piped" }).output();
    const d = new TextDecoder();
    return { ok: r.success, out: d.decode(r.stdout) + d.decode(r.stderr) };
  } catch (error) {
    return { ok: false, out: String(error) };
  }
}

function alive(pid: number): boolean {
  try {
    Deno.kill(pid, "SIGCONT");
    return true;
  } catch {
    return false;
  }
}

async function waitGone(pid: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (alive(pid)) {
    if (Date.now() > deadline) throw new Error(`postgres ${pid} did not stop`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Starts a private cluster, or answers null (with a printed reason) where none can start. */
export async function startPostgres(): Promise<PrivatePostgres | null> {
  const skip = (why: string) => {
    console.warn(`SKIP PostgreSQL tests: ${why}`);
    return null;
  };
  try {
    await Deno.stat(`${PG_BIN}/initdb`);
  } catch {
    return skip(`no ${PG_BIN}/initdb (apt-get install postgresql)`);
  }
  const dir = await Deno.makeTempDir({ prefix: "tradewatch-pg-" });
  await Deno.chmod(dir, 0o700);
  if (asRoot) {
    const chown = await new Deno.Command("chown", { args: ["postgres:", dir] }).output();
    if (!chown.success) return skip("cannot hand the data directory to the postgres user");
  }
  const init = await run(`${PG_BIN}/initdb`, [
    "-D",
    dir,
    "-A",
    "trust",
    "-U",
    "postgres",
    "--no-sync",
  ]);
  if (!init.ok) {
    await Deno.remove(dir, { recursive: true }).catch(() => {});
    return skip(`initdb failed: ${init.out.trim().split("\n").slice(-2).join(" ")}`);
  }
  const port = await freePort();
  let pid = 0;
  const opts = [
    `-p ${port}`,
    `-k ${dir}`,
    "-c listen_addresses=127.0.0.1",
    "-c max_connections=200",
    "-c shared_buffers=64MB",
  ].join(" ");
  const start = async () => {
    const r = await run(`${PG_BIN}/pg_ctl`, [
      "-D",
      dir,
      "-w",
      "-t",
      "60",
      "-l",
      `${dir}/server.log`,
      "-o",
      opts,
      "start",
    ]);
    if (!r.ok) throw new Error(`pg_ctl start failed: ${r.out}`);
    pid = Number((await Deno.readTextFile(`${dir}/postmaster.pid`)).split("\n")[0]);
  };
  const stop = async () => {
    if (pid === 0 || !alive(pid)) return;
    Deno.kill(pid, "SIGINT");
    await waitGone(pid, 30_000);
  };
  const url = (db: string) => `postgres://postgres@127.0.0.1:${port}/${db}`;
  const sql = async (query: string, db = "postgres") => {
    const r = await run(`${PG_BIN}/psql`, [
      "-X",
      "-qAt",
      "-v",
      "ON_ERROR_STOP=1",
      "-c",
      query,
      url(db),
    ]);
    if (!r.ok) throw new Error(`psql failed: ${r.out}`);
    return r.out.trim();
  };
  try {
    await start();
  } catch (error) {
    await Deno.remove(dir, { recursive: true }).catch(() => {});
    return skip(String(error));
  }
  return {
    port,
    dir,
    url: url("postgres"),
    pid: () => pid,
    sql,
    createDatabase: async (name) => {
      await sql(`CREATE DATABASE ${name}`);
      return url(name);
    },
    stop,
    kill: async () => {
      if (pid === 0 || !alive(pid)) return;
      Deno.kill(pid, "SIGKILL");
      await waitGone(pid, 30_000);
      // The backends exit once they see the postmaster gone; pg_ctl start waits for them.
    },
    start,
    destroy: async () => {
      await stop();
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    },
  };
}
