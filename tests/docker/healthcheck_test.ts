/**
 * `tradewatch --healthcheck`: the probe behind the container HEALTHCHECK, against a real stub HTTP
 * server on loopback and a closed port, in-process and as the real CLI (exit codes, one line).
 */
import assert from "node:assert/strict";
import { probe } from "../../src/healthcheck/probe.ts";
import { defaultUrl, main, parseTimeout } from "../../src/healthcheck/mod.ts";

const MAIN = new URL("../../main.ts", import.meta.url).pathname;

/** A stub service: /health 200, /sick 503, /slow answers only when released. */
function startStub() {
  let release!: () => void;
  const released = new Promise<void>((r) => release = r);
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
    const path = new URL(req.url).pathname;
    if (path === "/health") return Response.json({ status: "healthy" });
    if (path === "/sick") return Response.json({ status: "unhealthy" }, { status: 503 });
    if (path === "/slow") {
      await released;
      return new Response("late");
    }
    return new Response("not found", { status: 404 });
  });
  const base = `http://127.0.0.1:${server.addr.port}`;
  return {
    base,
    port: server.addr.port,
    async stop() {
      release();
      await server.shutdown();
    },
  };
}

/** A loopback port that nothing listens on (bound, then released). */
function closedPort(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
}

async function cli(args: string[], env: Record<string, string> = {}) {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--quiet", "--allow-net", "--allow-env", MAIN, "--healthcheck", ...args],
    env: { NO_COLOR: "1", HOST: "", PORT: "", ...env },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

Deno.test("probe: 2xx is healthy, 503 and 404 are not", async () => {
  const stub = startStub();
  try {
    const ok = await probe(`${stub.base}/health`, 2000);
    assert.equal(ok.healthy, true);
    assert.equal(ok.status, 200);
    assert.equal(ok.reason, undefined);

    const sick = await probe(`${stub.base}/sick`, 2000);
    assert.equal(sick.healthy, false);
    assert.equal(sick.status, 503);
    assert.match(sick.reason ?? "", /503/);

    const missing = await probe(`${stub.base}/nope`, 2000);
    assert.equal(missing.healthy, false);
    assert.equal(missing.status, 404);
  } finally {
    await stub.stop();
  }
});

Deno.test("probe: a closed port is unhealthy with a reason, not an exception", async () => {
  const port = closedPort();
  const res = await probe(`http://127.0.0.1:${port}/health`, 2000);
  assert.equal(res.healthy, false);
  assert.equal(res.status, undefined);
  assert.ok(res.reason && res.reason.length > 0);
  assert.doesNotMatch(res.reason, /\n/);
});

Deno.test("probe: a service that does not answer in time is unhealthy", async () => {
  const stub = startStub();
  try {
    const res = await probe(`${stub.base}/slow`, 150);
    assert.equal(res.healthy, false);
    assert.match(res.reason ?? "", /No answer within 150 ms/);
  } finally {
    await stub.stop();
  }
});

Deno.test("parseTimeout and defaultUrl", () => {
  assert.equal(parseTimeout("500ms"), 500);
  assert.equal(parseTimeout("2s"), 2000);
  assert.equal(parseTimeout("2.5"), 2500);
  assert.equal(parseTimeout("1m30s"), 90_000);
  for (const bad of ["", "0", "0s", "-1s", "abc", "5 m", "1e3"]) {
    assert.throws(() => parseTimeout(bad), /positive duration/, bad);
  }
  const env = (vars: Record<string, string>) => (name: string) => vars[name];
  assert.equal(defaultUrl(env({})), "http://127.0.0.1:8000/health");
  assert.equal(defaultUrl(env({ PORT: "9001" })), "http://127.0.0.1:9001/health");
  assert.equal(defaultUrl(env({ HOST: "0.0.0.0", PORT: "81" })), "http://127.0.0.1:81/health");
  assert.equal(defaultUrl(env({ HOST: "::" })), "http://127.0.0.1:8000/health");
  assert.equal(defaultUrl(env({ HOST: "127.0.0.2" })), "http://127.0.0.2:8000/health");
  assert.equal(defaultUrl(env({ HOST: "::1" })), "http://[::1]:8000/health");
});

Deno.test("main: bad usage exits 2 without probing", async () => {
  const errors: string[] = [];
  const orig = console.error;
  console.error = (...a: unknown[]) => errors.push(a.join(" "));
  try {
    assert.equal(await main(["--timeout", "soon"]), 2);
    assert.equal(await main(["--url", "not a url"]), 2);
    assert.equal(await main(["--url", "ftp://127.0.0.1/health"]), 2);
    assert.equal(await main(["--bogus"]), 2);
    assert.equal(await main(["extra"]), 2);
  } finally {
    console.error = orig;
  }
  assert.equal(errors.length, 5);
  assert.match(errors[0], /--timeout must be a positive duration/);
  assert.match(errors[1], /--url is not a valid URL/);
  assert.match(errors[2], /--url must be http or https/);
});

Deno.test("cli: exit 0 and one line on stdout when healthy, using PORT by default", async () => {
  const stub = startStub();
  try {
    const byUrl = await cli(["--url", `${stub.base}/health`]);
    assert.equal(byUrl.code, 0, byUrl.stderr);
    assert.equal(byUrl.stdout.trim().split("\n").length, 1);
    assert.match(byUrl.stdout, /^healthy: .*answered 200/);

    const byPort = await cli([], { PORT: String(stub.port) });
    assert.equal(byPort.code, 0, byPort.stderr);
    assert.match(byPort.stdout, new RegExp(`127\\.0\\.0\\.1:${stub.port}/health answered 200`));
  } finally {
    await stub.stop();
  }
});

Deno.test("cli: exit 1 and one line on stderr when unhealthy or unreachable", async () => {
  const stub = startStub();
  try {
    const sick = await cli(["--url", `${stub.base}/sick`]);
    assert.equal(sick.code, 1);
    assert.equal(sick.stdout, "");
    assert.equal(sick.stderr.trim().split("\n").length, 1);
    assert.match(sick.stderr, /^unhealthy: .*HTTP status 503/);

    const closed = await cli(["--timeout", "1s"], { PORT: String(closedPort()) });
    assert.equal(closed.code, 1);
    assert.match(closed.stderr, /^unhealthy: http:\/\/127\.0\.0\.1:\d+\/health: /);

    const help = await cli(["--help"]);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /Usage: tradewatch --healthcheck/);
  } finally {
    await stub.stop();
  }
});
