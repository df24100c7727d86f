/**
 * Shared test support: a Prometheus text/OpenMetrics exposition parser and helpers for
 * assertions on live scrapes.
 *
 * @module
 */

/** One sample of a Prometheus text exposition. */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** A parsed Prometheus text (or OpenMetrics) exposition. */
export interface Exposition {
  samples: Sample[];
  types: Map<string, string>;
  help: Map<string, string>;
}

/** Parse a Prometheus text/OpenMetrics exposition (enough for these tests' assertions). */
export function parseExposition(text: string): Exposition {
  const samples: Sample[] = [];
  const types = new Map<string, string>();
  const help = new Map<string, string>();
  for (const line of text.split("\n")) {
    if (line === "" || line === "# EOF") continue;
    let m = /^# TYPE (\S+) (\S+)$/.exec(line);
    if (m) {
      types.set(m[1], m[2]);
      continue;
    }
    m = /^# HELP (\S+) (.*)$/.exec(line);
    if (m) {
      help.set(m[1], m[2]);
      continue;
    }
    m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m) throw new Error(`unparsable exposition line: ${line}`);
    const labels: Record<string, string> = {};
    for (const lm of (m[2] ?? "").matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) {
      labels[lm[1]] = lm[2];
    }
    samples.push({ name: m[1], labels, value: Number(m[3]) });
  }
  return { samples, types, help };
}

/** A stable key of a series: name plus sorted labels. */
export function seriesKey(s: Sample): string {
  const labels = Object.keys(s.labels).sort().map((k) => `${k}=${s.labels[k]}`).join(",");
  return `${s.name}{${labels}}`;
}

/** Fetch and parse /metrics (text format). */
export async function scrape(base: string, headers: HeadersInit = {}): Promise<Exposition> {
  const res = await fetch(`${base}/metrics`, { headers });
  if (res.status !== 200) throw new Error(`scrape answered ${res.status}`);
  return parseExposition(await res.text());
}

/** Sum of the values of the samples with this name whose labels include `match`. */
export function sumOf(e: Exposition, name: string, match: Record<string, string> = {}): number {
  return e.samples
    .filter((s) => s.name === name && Object.entries(match).every(([k, v]) => s.labels[k] === v))
    .reduce((a, s) => a + s.value, 0);
}
