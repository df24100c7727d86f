/**
 * A private Docker engine for tests: its own data root, exec root and socket in a temp dir, no
 * iptables, no bridge (containers use host networking), stopped by PID. Nothing is shared with a
 * system dockerd, and nothing is left behind.
 *
 * @module
 */

import assert from "node:assert/strict";

/** Where the engine's pieces come from. */
export const DOCKERD = "/usr/sbin/dockerd";
/** The Debian client that matches the Debian engine (the classic builder is used explicitly). */
export const DOCKER_CLIENT = "/usr/bin/docker";

/** docker-compose 1.29 (Debian's), for the compose files of the repository. */
export const COMPOSE = "/usr/bin/docker-compose";
/** The repository's root, with a trailing slash: the build context, where the compose files are. */
export const ROOT = new URL("../../", import.meta.url).pathname;

/** The output of one client command. */
export interface DockerResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** A running private engine. */
export interface PrivateDockerd {
  /** `unix://…/docker.sock`, for DOCKER_HOST. */
  host: string;
  /** The storage driver that worked (overlay2, or vfs as the fallback). */
  storageDriver: string;
  /** The scratch dir holding data root, exec root, socket and logs. */
  dir: string;
  /** Run the Debian docker client against this engine. */
  docker(
    args: string[],
    opts?: { env?: Record<string, string>; cwd?: string },
  ): Promise<DockerResult>;
  /** The engine's log so far (for failure messages). */
  log(): Promise<string>;
  /** Stop the engine (and the containerd it started) by PID and delete its dir. */
  stop(): Promise<void>;
}

/** Why a private engine cannot run on this machine at all, or null when it can be tried. */
export async function unavailableReason(): Promise<string | null> {
  if (Deno.build.os !== "linux") return `containers need Linux, this is ${Deno.build.os}`;
  if (Deno.uid() !== 0) return "dockerd needs root and this test runs as a normal user";
  for (const bin of [DOCKERD, DOCKER_CLIENT, "/usr/sbin/runc", "/usr/bin/containerd"]) {
    try {
      await Deno.stat(bin);
    } catch {
      return `${bin} is missing (apt-get install docker.io)`;
    }
  }
  return null;
}

const decoder = new TextDecoder();

function alive(pid: number): boolean {
  try {
    Deno.kill(pid, "SIGCONT"); // harmless probe: throws when the process is gone
    return true;
  } catch {
    return false;
  }
}

async function readPid(path: string): Promise<number | null> {
  try {
    const n = Number((await Deno.readTextFile(path)).trim());
    return Number.isInteger(n) && n > 1 ? n : null;
  } catch {
    return null;
  }
}

async function waitGone(pid: number, ms: number): Promise<boolean> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (!alive(pid)) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return !alive(pid);
}

async function runClient(
  host: string,
  args: string[],
  opts: { env?: Record<string, string>; cwd?: string } = {},
): Promise<DockerResult> {
  const out = await new Deno.Command(DOCKER_CLIENT, {
    args,
    cwd: opts.cwd,
    env: { DOCKER_HOST: host, DOCKER_CONFIG: "/nonexistent-docker-config", ...opts.env },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  return { code: out.code, stdout: decoder.decode(out.stdout), stderr: decoder.decode(out.stderr) };
}

/** Start one engine with `driver`; resolves once its API answers, or throws with its log. */
async function startWith(dir: string, driver: string): Promise<PrivateDockerd> {
  const sock = `${dir}/docker.sock`;
  const host = `unix://${sock}`;
  const pidfile = `${dir}/dockerd.pid`;
  const logfile = `${dir}/dockerd-${driver}.log`;
  await Deno.mkdir(`${dir}/data`, { recursive: true });
  await Deno.mkdir(`${dir}/exec`, { recursive: true });
  // An empty config file of our own: a system /etc/docker/daemon.json must not clash with flags.
  await Deno.writeTextFile(`${dir}/daemon.json`, "{}\n");
  const args = [
    `--config-file=${dir}/daemon.json`,
    `--data-root=${dir}/data`,
    `--exec-root=${dir}/exec`,
    `--pidfile=${pidfile}`,
    `-H`,
    host,
    "--iptables=false",
    "--ip-masq=false",
    "--ip-forward=false",
    "--bridge=none",
    `--storage-driver=${driver}`,
    // Networks that compose creates come from here (bridges in this engine's own namespaces).
    "--default-address-pool=base=172.29.0.0/16,size=24",
    "--log-level=warn",
  ];
  // `exec` keeps dockerd's PID equal to the child's, so it can be stopped by PID.
  const child = new Deno.Command("/bin/sh", {
    args: ["-c", `exec "$0" "$@" >"${logfile}" 2>&1`, DOCKERD, ...args],
    stdin: "null",
    stdout: "null",
    stderr: "null",
  }).spawn();
  const status = child.status;
  let exited = false;
  status.then(() => exited = true);

  const log = async () => {
    try {
      return await Deno.readTextFile(logfile);
    } catch {
      return "";
    }
  };
  const stopEngine = async () => {
    // Bridges of user-defined networks outlive the engine: note them to delete them after it.
    const nets = exited ? { code: 1, stdout: "", stderr: "" } : await runClient(host, [
      "network",
      "ls",
      "--quiet",
      "--no-trunc",
      "--filter",
      "driver=bridge",
    ]);
    const bridges = nets.code === 0
      ? nets.stdout.split("\n").filter((id) => /^[0-9a-f]{12,}$/.test(id)).map((id) =>
        `br-${id.slice(0, 12)}`
      )
      : [];
    if (!exited) {
      try {
        child.kill("SIGTERM");
      } catch { /* already gone */ }
      const done = await Promise.race([
        status.then(() => true),
        new Promise<boolean>((r) => setTimeout(() => r(false), 20_000)),
      ]);
      if (!done) {
        try {
          child.kill("SIGKILL");
        } catch { /* already gone */ }
      }
    }
    await status;
    for (const br of bridges) {
      await new Deno.Command("ip", { args: ["link", "delete", br], stdout: "null", stderr: "null" })
        .output().catch(() => undefined);
    }
    // dockerd stops the containerd it started; if it was killed, stop that containerd by PID.
    const ctrd = await readPid(`${dir}/exec/containerd/containerd.pid`);
    if (ctrd && alive(ctrd)) {
      Deno.kill(ctrd, "SIGTERM");
      if (!await waitGone(ctrd, 10_000)) Deno.kill(ctrd, "SIGKILL");
    }
  };

  const until = Date.now() + 30_000;
  while (true) {
    if (exited) {
      await status;
      throw new Error(`dockerd (${driver}) exited at start:\n${(await log()).slice(-2000)}`);
    }
    const ping = await runClient(host, ["version", "--format", "{{.Server.Version}}"]);
    if (ping.code === 0) break;
    if (Date.now() > until) {
      await stopEngine();
      throw new Error(`dockerd (${driver}) did not answer in 30 s:\n${(await log()).slice(-2000)}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  const info = await runClient(host, ["info", "--format", "{{.Driver}}"]);
  if (info.code !== 0 || info.stdout.trim() !== driver) {
    await stopEngine();
    throw new Error(`dockerd runs with driver "${info.stdout.trim()}", not ${driver}`);
  }

  return {
    host,
    storageDriver: driver,
    dir,
    docker: (a, o) => runClient(host, a, o),
    log,
    async stop() {
      await stopEngine();
      await removeTree(dir);
    },
  };
}

/** Remove the engine's dir; leftover mounts under it (after a hard kill) are unmounted first. */
async function removeTree(dir: string): Promise<void> {
  try {
    await Deno.remove(dir, { recursive: true });
  } catch {
    const mounts = (await Deno.readTextFile("/proc/self/mounts")).split("\n")
      .map((l) => l.split(" ")[1])
      .filter((m) => m && m.startsWith(dir + "/"))
      .sort((a, b) => b.length - a.length);
    for (const m of mounts) {
      await new Deno.Command("umount", { args: ["-l", m], stdout: "null", stderr: "null" })
        .output();
    }
    await Deno.remove(dir, { recursive: true }).catch((err) =>
      console.error(`private dockerd: could not remove ${dir}: ${err}`)
    );
  }
}

/**
 * Start a private engine: overlay2 first, vfs when overlay2 cannot run here (for example on an
 * overlay root filesystem). Throws with both logs when neither starts.
 */
export async function startPrivateDockerd(): Promise<PrivateDockerd> {
  const dir = await Deno.makeTempDir({ prefix: "twd-" });
  const errors: string[] = [];
  for (const driver of ["overlay2", "vfs"]) {
    try {
      return await startWith(`${dir}/${driver}`, driver).then((engine) => ({
        ...engine,
        dir,
        async stop() {
          await engine.stop();
          await removeTree(dir);
        },
      }));
    } catch (err) {
      errors.push(String(err));
      await removeTree(`${dir}/${driver}`);
    }
  }
  await removeTree(dir);
  throw new Error(`No private dockerd could start:\n${errors.join("\n")}`);
}

/**
 * Why this machine cannot run a container test at all, or null. A private engine is started and
 * stopped once (~1.5 s), before any test runs, so that "dockerd cannot start" is a visible skip
 * with its reason instead of a failure; everything after a successful start must pass.
 */
export async function dockerSkipReason(): Promise<string | null> {
  if (Deno.env.get("TRADEWATCH_DOCKER_TEST") === "0") return "TRADEWATCH_DOCKER_TEST=0";
  const missing = await unavailableReason();
  if (missing) return missing;
  try {
    await (await startPrivateDockerd()).stop();
    return null;
  } catch (err) {
    return `dockerd cannot start here: ${String(err).split("\n").slice(0, 4).join(" | ")}`;
  }
}

/** A free TCP port on 127.0.0.1 (for a container's published port, host networking). */
export function freePort(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
}

/** Thrown from a waitFor probe to stop waiting at once (for example: the container exited). */
export class GiveUp extends Error {}

/**
 * Poll `fn` every `everyMs` until it returns a value (not undefined) or `ms` pass; a readiness
 * bound only.
 */
export async function waitFor<T>(
  what: string,
  ms: number,
  fn: () => Promise<T | undefined>,
  everyMs = 250,
): Promise<T> {
  const until = Date.now() + ms;
  let last: unknown;
  while (Date.now() < until) {
    try {
      const v = await fn();
      if (v !== undefined) return v;
    } catch (err) {
      if (err instanceof GiveUp) throw err;
      last = err;
    }
    await new Promise((r) => setTimeout(r, everyMs));
  }
  throw new Error(`${what} did not happen within ${ms / 1000} s${last ? `: ${last}` : ""}`);
}

/** One compose project of the repository's on a private engine. */
export interface ComposeProject {
  /** The engine's `unix://…` address. */
  host: string;
  /** The compose file, relative to the repository root (`compose.yaml`). */
  file: string;
  project: string;
  /** The image (built from the `run` target) that trading_api runs: its tag is used. */
  runTag: string;
  /** The published ports (and any other variables) for the compose file. */
  env: Record<string, string>;
}

/**
 * Run docker-compose with `args` on the project, with a clean environment: the engine, the run
 * image as trading_api, published ports on 127.0.0.1. Resolves with the exit code and stdout
 * followed by stderr.
 */
export async function runCompose(
  p: ComposeProject,
  args: string[],
): Promise<{ code: number; out: string }> {
  const out = await new Deno.Command(COMPOSE, {
    args: ["--file", `${ROOT}${p.file}`, "--project-name", p.project, "--ansi", "never", ...args],
    cwd: ROOT,
    clearEnv: true,
    env: {
      PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin",
      DOCKER_HOST: p.host,
      TRADEWATCH_TAG: p.runTag.split(":")[1],
      TRADEWATCH_TARGET: "run",
      TRADEWATCH_BIND: "127.0.0.1",
      ...p.env,
    },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  return { code: out.code, out: decoder.decode(out.stdout) + decoder.decode(out.stderr) };
}

/**
 * Build the local stand-ins for the base images on the engine (scripts/standin-images.sh, with
 * `env` naming the images to stand in for); asserts that the script succeeds.
 */
export async function buildStandinImages(host: string, env: Record<string, string>) {
  const out = await new Deno.Command("bash", {
    args: [`${ROOT}scripts/standin-images.sh`],
    env: { DOCKER_HOST: host, DOCKER: DOCKER_CLIENT, DENO_BIN: Deno.execPath(), ...env },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const log = decoder.decode(out.stdout) + decoder.decode(out.stderr);
  assert.equal(out.code, 0, `scripts/standin-images.sh failed:\n${log.slice(-3000)}`);
}
