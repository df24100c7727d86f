/**
 * `--report FILE.html` opened in a real browser (Debian's headless chromium, driven over the
 * DevTools protocol): the charts are drawn (their series' colours are on the canvases), and every
 * figure on the page equals the `--json` report's value at the path the page names.
 * Skipped, visibly, where chromium is not installed (CI installs it: .ci/run).
 */
import assert from "node:assert/strict";
import { loadgen, startService } from "./helpers.ts";

const CHROMIUM = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].find((p) => {
  try {
    return Deno.statSync(p).isFile;
  } catch {
    return false;
  }
});
if (!CHROMIUM) {
  console.warn(
    "SKIPPED: tests/loadgen/html_report_test.ts needs chromium (apt-get install chromium)",
  );
}

// deno-lint-ignore no-explicit-any
type Any = any;

/** A headless chromium on a fresh profile, with the DevTools protocol on a free port. */
async function openInChromium(url: string) {
  const profile = await Deno.makeTempDir({ prefix: "tradewatch-chromium-" });
  const proc = new Deno.Command(CHROMIUM!, {
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--no-first-run",
      "--disable-component-update",
      "--disable-sync",
      `--user-data-dir=${profile}`,
      "--remote-debugging-port=0",
      "--window-size=1200,1800",
      url,
    ],
    stdin: "null",
    stdout: "null",
    stderr: "null",
  }).spawn();
  const close = async () => {
    try {
      proc.kill("SIGKILL");
    } catch { /* gone */ }
    await proc.status;
    await Deno.remove(profile, { recursive: true }).catch(() => {});
  };
  try {
    // Chromium writes its DevTools port to the profile once it listens.
    let port = 0;
    for (let i = 0; i < 600 && !port; i++) {
      try {
        port = Number((await Deno.readTextFile(`${profile}/DevToolsActivePort`)).split("\n")[0]);
      } catch {
        await new Promise((r) => setTimeout(r, 50));
      }
    }
    assert.ok(port > 0, "chromium's DevTools port");
    let page: Any;
    for (let i = 0; i < 200 && !page; i++) {
      const list = await (await fetch(`http://127.0.0.1:${port}/json/list`)).json();
      page = list.find((t: Any) => t.type === "page" && t.url.startsWith("file:"));
      if (!page) await new Promise((r) => setTimeout(r, 50));
    }
    assert.ok(page, "the report's page");
    const ws = new WebSocket(page.webSocketDebuggerUrl);
    await new Promise((resolve, reject) => {
      ws.onopen = resolve;
      ws.onerror = reject;
    });
    let id = 0;
    const pending = new Map<number, (m: Any) => void>();
    ws.onmessage = (e) => {
      const m = JSON.parse(e.data);
      pending.get(m.id)?.(m);
      pending.delete(m.id);
    };
    const send = (method: string, params: Record<string, unknown>) =>
      new Promise<Any>((resolve) => {
        pending.set(++id, resolve);
        ws.send(JSON.stringify({ id, method, params }));
      });
    return {
      async evaluate(expression: string): Promise<Any> {
        const m = await send("Runtime.evaluate", {
          expression,
          awaitPromise: true,
          returnByValue: true,
        });
        if (m.error) throw new Error(`DevTools: ${JSON.stringify(m.error)}`);
        if (m.result?.exceptionDetails) {
          throw new Error(JSON.stringify(m.result.exceptionDetails).slice(0, 2000));
        }
        return m.result.result.value;
      },
      async screenshot(file: string) {
        const m = await send("Page.captureScreenshot", { format: "png" });
        await Deno.writeFile(file, Uint8Array.from(atob(m.result.data), (c) => c.charCodeAt(0)));
      },
      async close() {
        ws.close();
        await close();
      },
    };
  } catch (e) {
    await close();
    throw e;
  }
}

/** In the page: wait for the charts, then read the canvases' pixels and every tagged figure. */
const INSPECT = `(async () => {
  for (let i = 0; i < 400 && document.body?.dataset.charts !== "3"; i++) {
    await new Promise((r) => setTimeout(r, 25));
  }
  const near = (d, i, [r, g, b]) =>
    Math.abs(d[i] - r) < 40 && Math.abs(d[i + 1] - g) < 40 && Math.abs(d[i + 2] - b) < 40 &&
    d[i + 3] > 100;
  const colours = { throughput: [46, 111, 214], latency: [46, 158, 85], hdr: [106, 63, 181] };
  const charts = {};
  for (const [id, colour] of Object.entries(colours)) {
    const canvas = document.querySelector("#" + id + " canvas");
    if (!canvas) { charts[id] = null; continue; }
    const d = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
    let painted = 0, series = 0;
    for (let i = 0; i < d.length; i += 4) {
      if (d[i + 3] > 0) painted++;
      if (near(d, i, colour)) series++;
    }
    charts[id] = { width: canvas.width, height: canvas.height, painted, series };
  }
  const figures = [...document.querySelectorAll("[data-k]")].map((e) => [e.dataset.k, e.textContent]);
  const external = [...document.querySelectorAll("script[src], link[href], img[src], iframe")].length;
  return { rendered: document.body.dataset.charts, charts, figures, external };
})()`;

Deno.test({
  name: "--report: the HTML report renders in headless chromium and shows the --json figures",
  ignore: !CHROMIUM,
  async fn() {
    const svc = await startService();
    const dir = await Deno.makeTempDir();
    try {
      const r = await loadgen([
        "--target",
        svc.url,
        "--rate-shape",
        "stages:1s@150,1s@300",
        "-m",
        "orders=3,health=1,positions=1",
        "--invalid-ratio",
        "0.1",
        "--seed",
        "11",
        "--threshold",
        "p99<10s",
        "--no-progress",
        "--json",
        `${dir}/run.json`,
        "--report",
        `${dir}/run.html`,
      ]);
      assert.equal(r.code, 0, r.stderr);
      const report = JSON.parse(await Deno.readTextFile(`${dir}/run.json`));
      assert.ok(report.requests.rejected > 0, "some rejections to show");
      const html = await Deno.readTextFile(`${dir}/run.html`);
      assert.doesNotMatch(html, /<script[^>]+src=|<link[^>]+href=/, "self-contained");

      const page = await openInChromium(`file://${dir}/run.html`);
      let seen;
      try {
        // The page may still be replacing about:blank's context when the first evaluation starts.
        for (let attempt = 0;; attempt++) {
          try {
            seen = await page.evaluate(INSPECT);
            break;
          } catch (e) {
            if (attempt >= 20) throw e;
            await new Promise((r) => setTimeout(r, 100));
          }
        }
        await page.screenshot(`${dir}/run.png`);
      } finally {
        await page.close();
      }
      assert.equal(seen.rendered, "3", "three charts drawn");
      assert.equal(seen.external, 0, "nothing loaded from elsewhere");
      for (const [id, c] of Object.entries(seen.charts) as [string, Any][]) {
        assert.ok(c && c.width > 0 && c.height > 0, `${id}: a canvas`);
        assert.ok(c.painted > 1000, `${id}: axes and grid drawn (${c.painted} px)`);
        assert.ok(c.series > 100, `${id}: its series line drawn (${c.series} px of its colour)`);
      }
      // Every figure on the page is the report's value at the path it names.
      const at = (path: string) => path.split("/").reduce((o: Any, k) => o?.[k], report);
      const paths = new Set<string>();
      for (const [path, text] of seen.figures as [string, string][]) {
        const want = at(path);
        assert.notEqual(want, undefined, `${path} is in the report`);
        assert.equal(text, want === null ? "–" : String(want), path);
        paths.add(path);
      }
      for (
        const path of [
          "requests/sent",
          "requests/failed",
          "requests/rejected",
          "rate/achieved",
          "latencyMs/p50",
          "latencyMs/p99",
          "latencyMs/max",
          "statuses/201",
          "scenarios/orders/requests",
          "scenarios/health/latencyMs/p99",
          "thresholds/0/actual",
        ]
      ) assert.ok(paths.has(path), `the page shows ${path}`);
      const png = await Deno.stat(`${dir}/run.png`);
      assert.ok(png.size > 10_000, "a screenshot of the page");
    } finally {
      await svc.close();
      await Deno.remove(dir, { recursive: true });
    }
  },
});
