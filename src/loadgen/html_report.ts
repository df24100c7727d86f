/**
 * `--report FILE.html`: one self-contained HTML file to look at, as vegeta's `plot` or k6's
 * HTML report: throughput and latency percentiles over time, the latency distribution as an HDR
 * percentile plot, status codes and the per-scenario table. The charting library (uPlot, pinned
 * in deno.json) and the data are inlined, so the file works offline and can be mailed or
 * attached to a CI run.
 *
 * Every figure on the page is the `--json` report's own value, printed raw (a `data-k`
 * attribute names its path in the report), so a test can check the page against the report.
 *
 * @module
 */
import uplotJs from "uplot/dist/uPlot.iife.min.js" with { type: "text" };
import uplotCss from "uplot/dist/uPlot.min.css" with { type: "text" };
import { describeModel, type Percentiles, type Report } from "./report.ts";
import { decodeHistogram } from "./stats.ts";

/** One point of the HDR percentile plot: percentile (0..100) and latency (ms). */
export interface PercentilePoint {
  percentile: number;
  ms: number;
}

/**
 * The latency distribution as an HDR percentile plot: latency at percentiles spread evenly on
 * the `1 / (1 - p)` scale (50%, 90%, 99%, 99.9%, ... as in HdrHistogram's plotter), up to the
 * largest recorded value.
 */
export function percentileCurve(report: Report): PercentilePoint[] {
  const e = report.stats.latency;
  if (e === null) return [];
  const h = decodeHistogram(e);
  const points: PercentilePoint[] = [];
  const n = h.totalCount;
  // Up to the percentile of one value in n (beyond, every point would be the maximum).
  const top = Math.log10(Math.max(10, n));
  for (let i = 0; i <= Math.ceil(top * 20); i++) {
    const p = 100 * (1 - 10 ** (-i / 20));
    points.push({ percentile: p, ms: Math.min(h.getValueAtPercentile(p), e.max) / 1000 });
  }
  points.push({ percentile: 100 * (1 - 1 / (10 * n)), ms: e.max / 1000 });
  return points;
}

const esc = (s: string) =>
  s.replace(
    /[&<>"']/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" }[c] ?? "&#39;"),
  );

/** A figure of the report, raw, tagged with its path. */
function v(path: string, value: number | string | null, unit = ""): string {
  const shown = value === null ? "–" : String(value);
  return `<span data-k="${esc(path)}">${esc(shown)}</span>${unit && value !== null ? unit : ""}`;
}

function latencyRow(label: string, path: string, p: Percentiles): string {
  const keys = ["count", "min", "p50", "p90", "p99", "p99.9", "max"] as const;
  // Paths use "/" (a key such as "p99.9" has a dot).
  return `<tr><th>${esc(label)}</th>${
    keys.map((k) => `<td>${v(`${path}/${k}`, p[k], k === "count" ? "" : " ms")}</td>`).join("")
  }</tr>`;
}

/** Render the whole report as one HTML document. */
export function renderHtmlReport(r: Report): Promise<string> {
  const q = r.requests;
  const c = r.config;
  const how = describeModel(r);
  const statusTotal = Object.values(r.statuses).reduce((a, b) => a + b, 0);
  const statusRows = Object.entries(r.statuses).map(([code, n]) => {
    const cls = code[0] === "2" ? "ok" : code[0] === "4" ? "warn" : code[0] === "5" ? "bad" : "";
    const pct = statusTotal ? (n * 100) / statusTotal : 0;
    return `<tr><th>${esc(code)}</th><td>${v(`statuses/${code}`, n)}</td>` +
      `<td class="bar"><div class="${cls}" style="width:${pct.toFixed(2)}%"></div></td></tr>`;
  }).join("") + Object.entries(r.errors).map(([kind, n]) =>
    `<tr><th>${esc(kind)}</th><td>${v(`errors/${kind}`, n)}</td><td class="bar">` +
    `<div class="bad" style="width:${
      statusTotal + q.transportErrors
        ? ((n * 100) / (statusTotal + q.transportErrors)).toFixed(2)
        : 0
    }%"></div></td></tr>`
  ).join("");
  const scenarioRows = Object.entries(r.scenarios).map(([name, s]) =>
    `<tr><th>${esc(name)}</th><td>${v(`scenarios/${name}/requests`, s.requests)}</td>` +
    `<td>${v(`scenarios/${name}/failed`, s.failed)}</td>` +
    `<td>${v(`scenarios/${name}/rejected`, s.rejected)}</td>` +
    `<td>${v(`scenarios/${name}/latencyMs/p50`, s.latencyMs.p50, " ms")}</td>` +
    `<td>${v(`scenarios/${name}/latencyMs/p99`, s.latencyMs.p99, " ms")}</td>` +
    `<td>${v(`scenarios/${name}/latencyMs/max`, s.latencyMs.max, " ms")}</td></tr>`
  ).join("");
  const thresholds = r.thresholds.map((t, i) =>
    `<tr class="${t.pass ? "ok" : "bad"}"><th>${esc(t.expr)}</th><td>${
      v(`thresholds/${i}/actual`, t.actual, t.unit ? ` ${t.unit}` : "")
    }</td><td>${t.pass ? "ok" : "VIOLATED"}</td></tr>`
  ).join("");
  const data = {
    intervalS: r.stats.intervalMs / 1000,
    timeline: r.timeline,
    curve: percentileCurve(r),
  };
  // In a <script> element, "</script" and "<!--" must not appear: escape every "<".
  const json = JSON.stringify(data).replace(/</g, "\\u003c");
  const title = `tradewatch loadgen: ${how} against ${r.target}`;
  return Promise.resolve(`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title>
<style>${uplotCss}</style>
<style>
body { font: 14px/1.4 system-ui, sans-serif; margin: 24px; color: #1d2330; background: #fff; }
h1 { font-size: 20px; margin: 0 0 4px; } h2 { font-size: 16px; margin: 28px 0 8px; }
.meta { color: #5a6372; margin-bottom: 16px; }
.verdict { display: inline-block; padding: 2px 8px; border-radius: 4px; font-weight: 600; }
.verdict.ok, tr.ok td:last-child { color: #0a6b2a; } .verdict.bad, tr.bad td:last-child { color: #b3261e; }
.verdict.ok { background: #e3f4e8; } .verdict.bad { background: #fbe4e2; }
table { border-collapse: collapse; margin: 4px 0; }
th, td { padding: 3px 12px 3px 0; text-align: right; font-variant-numeric: tabular-nums; }
th { text-align: left; font-weight: 600; } thead th { color: #5a6372; font-weight: 500; }
td.bar { width: 320px; } td.bar div { height: 12px; min-width: 1px; background: #7a8699; }
td.bar .ok { background: #2e9e55; } td.bar .warn { background: #d99a1e; } td.bar .bad { background: #d64541; }
.cards { display: flex; flex-wrap: wrap; gap: 12px; }
.card { border: 1px solid #dde1e7; border-radius: 6px; padding: 8px 14px; min-width: 110px; }
.card .n { font-size: 20px; font-weight: 600; } .card .l { color: #5a6372; font-size: 12px; }
.chart { margin: 4px 0 12px; } .note { color: #5a6372; font-size: 12px; }
</style>
</head>
<body>
<h1>${esc(title)}</h1>
<div class="meta">started ${esc(r.startedAt)}, ${v("elapsedSeconds", r.elapsedSeconds, " s")},
mix ${esc(Object.entries(c.mix).map(([k, w]) => `${k}=${w}`).join(","))}, seed ${
    v("config/seed", c.seed)
  },
${v("config/workers", c.workers)} worker(s), tradewatch ${esc(r.version)}${
    r.interrupted ? ", <b>interrupted: partial results</b>" : ""
  }${r.merged ? `, merged from ${r.merged.length} reports` : ""}
<span class="verdict ${r.pass ? "ok" : "bad"}">${
    r.thresholds.length ? (r.pass ? "thresholds: pass" : "thresholds: FAIL") : "no thresholds"
  }</span></div>

<div class="cards">
<div class="card"><div class="n">${v("requests/sent", q.sent)}</div><div class="l">sent</div></div>
<div class="card"><div class="n">${
    v("requests/responses", q.responses)
  }</div><div class="l">answered</div></div>
<div class="card"><div class="n">${
    v("requests/failed", q.failed)
  }</div><div class="l">failed (5xx, errors, time-outs)</div></div>
<div class="card"><div class="n">${
    v("requests/rejected", q.rejected)
  }</div><div class="l">rejected (422 risk, invalid on purpose)</div></div>
<div class="card"><div class="n">${
    v("requests/dropped", q.dropped)
  }</div><div class="l">dropped</div></div>
<div class="card"><div class="n">${
    v("requests/late", q.late)
  }</div><div class="l">late sends</div></div>
<div class="card"><div class="n">${
    v("rate/achieved", r.rate.achieved)
  }</div><div class="l">completed / s</div></div>
</div>

<h2>Latency</h2>
<table>
<thead><tr><th></th><th>count</th><th>min</th><th>p50</th><th>p90</th><th>p99</th><th>p99.9</th><th>max</th></tr></thead>
<tbody>
${
    latencyRow(
      r.model === "open" ? "latency (from intended send)" : "latency",
      "latencyMs",
      r.latencyMs,
    )
  }
${
    r.model === "open"
      ? latencyRow("service time (from send)", "serviceTimeMs", r.serviceTimeMs)
      : ""
  }
${r.latenessMs ? latencyRow("send lateness", "latenessMs", r.latenessMs) : ""}
</tbody>
</table>

<h2>Throughput over time</h2>
<div class="chart" id="throughput"></div>
<h2>Latency percentiles over time</h2>
<div class="chart" id="latency"></div>
<h2>Latency distribution (HDR percentile plot)</h2>
<div class="chart" id="hdr"></div>
<div class="note">x: percentile on the 1/(1−p) scale (every tick ten times rarer); y: latency, ms.</div>

<h2>Status codes and errors</h2>
<table><tbody>${statusRows || "<tr><td>none</td></tr>"}</tbody></table>

<h2>Scenarios</h2>
<table>
<thead><tr><th>scenario</th><th>requests</th><th>failed</th><th>rejected</th><th>p50</th><th>p99</th><th>max</th></tr></thead>
<tbody>${scenarioRows}</tbody>
</table>
${thresholds ? `<h2>Thresholds</h2><table><tbody>${thresholds}</tbody></table>` : ""}

<script>${uplotJs}</script>
<script type="application/json" id="data">${json}</script>
<script>
(function () {
  var d = JSON.parse(document.getElementById("data").textContent);
  var width = Math.min(1100, document.body.clientWidth - 10);
  var t = d.timeline.map(function (p) { return p.t; });
  var perS = function (k) { return d.timeline.map(function (p) { return p[k] / d.intervalS; }); };
  var ms = function (k) { return d.timeline.map(function (p) { return p[k]; }); };
  var time = { time: false, auto: true };
  var secs = { label: "seconds since start", values: function (u, v) { return v.map(function (x) { return x + " s"; }); } };
  var charts = [];
  charts.push(new uPlot({
    width: width, height: 260, scales: { x: time },
    series: [{ label: "t (s)" },
      { label: "completed/s", stroke: "#2e6fd6", width: 2 },
      { label: "failed/s", stroke: "#d64541", width: 2 },
      { label: "rejected/s", stroke: "#d99a1e", width: 2 }],
    axes: [secs, { label: "requests / s" }],
  }, [t, perS("completed"), perS("failed"), perS("rejected")], document.getElementById("throughput")));
  charts.push(new uPlot({
    width: width, height: 260, scales: { x: time },
    series: [{ label: "t (s)" },
      { label: "p50 ms", stroke: "#2e9e55", width: 2 },
      { label: "p90 ms", stroke: "#2e6fd6", width: 2 },
      { label: "p99 ms", stroke: "#d99a1e", width: 2 },
      { label: "max ms", stroke: "#d64541", width: 1, dash: [4, 4] }],
    axes: [secs, { label: "latency, ms" }],
  }, [t, ms("p50"), ms("p90"), ms("p99"), ms("max")], document.getElementById("latency")));
  var x = d.curve.map(function (p) { return 1 / (1 - p.percentile / 100); });
  charts.push(new uPlot({
    width: width, height: 300,
    scales: { x: { time: false, distr: 3 }, y: { distr: 3 } },
    series: [{ label: "percentile", value: function (u, v) { return v == null ? "-" : (100 - 100 / v).toPrecision(6) + "%"; } },
      { label: "latency ms", stroke: "#6a3fb5", width: 2, points: { show: false } }],
    axes: [{ label: "percentile",
      // Ticks at 0%, 90%, 99%, 99.9%, ...: the powers of ten of 1/(1-p).
      splits: function (u, i, min, max) {
        var s = [1];
        for (var v = 10; v <= max * 1.0001; v *= 10) s.push(v);
        return s;
      },
      values: function (u, vals) { return vals.map(function (v) {
        var p = 100 - 100 / v; return p <= 0 ? "0%" : Number(p.toPrecision(6)) + "%"; }); } },
      { label: "latency, ms" }],
  }, [x, d.curve.map(function (p) { return p.ms; })], document.getElementById("hdr")));
  document.body.setAttribute("data-charts", String(charts.length));
})();
</script>
</body>
</html>
`);
}
