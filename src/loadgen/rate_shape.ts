/**
 * Arrival-rate shapes of the open model: constant, a sine wave between two rates, a base rate
 * with periodic bursts (so that dashboards show movement), a linear ramp, and staged profiles
 * (as k6's `stages`: each stage ramps linearly from the previous target to its own, starting
 * from 0). `ArrivalSchedule` turns a shape into the intended send times.
 *
 * @module
 */
import { parseDuration } from "../cli/mod.ts";
import { UsageError } from "../cli/mod.ts";

/** How the request rate (per second) varies over the run. */
export type RateShape =
  | { kind: "constant"; rate: number }
  | { kind: "sine"; periodMs: number; min: number; max: number }
  | { kind: "burst"; base: number; everyMs: number; forMs: number; rate: number }
  | { kind: "ramp"; from: number; to: number; overMs: number }
  | { kind: "stages"; stages: { durationMs: number; target: number }[] };

/** A stretch of a piecewise-linear shape: the rate goes from `from` to `to` in `durationMs`. */
interface Segment {
  durationMs: number;
  from: number;
  to: number;
}

const FLAG = "--rate-shape";

/**
 * Parse `--rate-shape`: `sine:period=60s,min=100,max=1000`, `burst:every=30s,for=5s,rate=2000`
 * (outside bursts the rate is `--rate`), `ramp:from=10,to=2000,over=5m` (then `to` until the
 * end) or `stages:30s@100,1m@1000,30s@0`.
 */
export function parseRateShape(text: string, baseRate: number | undefined): RateShape {
  const colon = text.indexOf(":");
  const kind = colon < 0 ? text : text.slice(0, colon);
  if (kind === "stages") return parseStages(colon < 0 ? "" : text.slice(colon + 1));
  const params = new Map<string, string>();
  if (colon >= 0) {
    for (const part of text.slice(colon + 1).split(",")) {
      const eq = part.indexOf("=");
      if (eq <= 0) throw new UsageError(`Rate shape parameter "${part}" is not key=value`, FLAG);
      params.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
    }
  }
  const take = (allowed: string[]) => {
    for (const k of params.keys()) {
      if (!allowed.includes(k)) {
        throw new UsageError(
          `Unknown ${kind} parameter "${k}", expected ${allowed.join(", ")}`,
          FLAG,
        );
      }
    }
  };
  const num = (key: string, fallback?: number): number => {
    const v = params.get(key);
    if (v === undefined) {
      if (fallback !== undefined) return fallback;
      throw new UsageError(`Rate shape ${kind} needs ${key}=`, FLAG);
    }
    const n = Number(v);
    if (v === "" || !Number.isFinite(n) || n <= 0) {
      throw new UsageError(`Rate shape ${key} must be a positive number, got "${v}"`, FLAG);
    }
    return n;
  };
  const dur = (key: string): number => {
    const v = params.get(key);
    if (v === undefined) throw new UsageError(`Rate shape ${kind} needs ${key}=`, FLAG);
    const ms = parseDuration(v);
    if (ms === null || ms <= 0) {
      throw new UsageError(`Rate shape ${key} must be a positive duration, got "${v}"`, FLAG);
    }
    return ms;
  };
  switch (kind) {
    case "constant":
      take(["rate"]);
      if (baseRate === undefined && !params.has("rate")) {
        throw new UsageError("Rate shape constant needs --rate or rate=", FLAG);
      }
      return { kind, rate: num("rate", baseRate) };
    case "sine": {
      take(["period", "min", "max"]);
      const min = num("min");
      const max = num("max", baseRate);
      if (max < min) throw new UsageError("Rate shape sine needs min <= max", FLAG);
      return { kind, periodMs: dur("period"), min, max };
    }
    case "burst": {
      take(["every", "for", "rate"]);
      if (baseRate === undefined) throw new UsageError("Rate shape burst needs --rate", FLAG);
      const everyMs = dur("every");
      const forMs = dur("for");
      if (forMs >= everyMs) throw new UsageError("Rate shape burst needs for < every", FLAG);
      return { kind, base: baseRate, everyMs, forMs, rate: num("rate") };
    }
    case "ramp": {
      take(["from", "to", "over"]);
      const from = rate0("from", params.get("from"));
      const to = rate0("to", params.get("to"));
      if (from === 0 && to === 0) throw new UsageError("Rate shape ramp never sends", FLAG);
      return { kind, from, to, overMs: dur("over") };
    }
    default:
      throw new UsageError(
        `Unknown rate shape "${kind}", expected sine, burst, ramp or stages`,
        FLAG,
      );
  }
}

/** A rate that may be 0 (ramps and stages start or end there). */
function rate0(what: string, v: string | undefined): number {
  if (v === undefined) throw new UsageError(`Rate shape needs ${what}=`, FLAG);
  const n = Number(v);
  if (v.trim() === "" || !Number.isFinite(n) || n < 0) {
    throw new UsageError(`Rate shape ${what} must be a rate >= 0, got "${v}"`, FLAG);
  }
  return n;
}

function parseStages(text: string): RateShape {
  const stages: { durationMs: number; target: number }[] = [];
  for (const raw of text.split(",")) {
    const part = raw.trim();
    const at = part.indexOf("@");
    if (at <= 0) {
      throw new UsageError(`Stage "${part}" is not DURATION@RATE (e.g. 30s@100)`, FLAG);
    }
    const durationMs = parseDuration(part.slice(0, at));
    if (durationMs === null || durationMs <= 0) {
      throw new UsageError(`Stage "${part}" needs a positive duration before @`, FLAG);
    }
    stages.push({ durationMs, target: rate0(`stage ${part}'s rate`, part.slice(at + 1)) });
  }
  if (stages.every((s) => s.target === 0)) {
    throw new UsageError("Rate shape stages never sends (every target is 0)", FLAG);
  }
  return { kind: "stages", stages };
}

/** The pieces of a ramp or staged shape, and the rate after them; null for other shapes. */
function segmentsOf(shape: RateShape): { segments: Segment[]; after: number } | null {
  if (shape.kind === "ramp") {
    return {
      segments: [{ durationMs: shape.overMs, from: shape.from, to: shape.to }],
      after: shape.to,
    };
  }
  if (shape.kind === "stages") {
    let prev = 0;
    const segments = shape.stages.map((s) => {
      const seg = { durationMs: s.durationMs, from: prev, to: s.target };
      prev = s.target;
      return seg;
    });
    return { segments, after: prev };
  }
  return null;
}

/** How long a shape lasts by itself (staged profiles), or null when it goes on. */
export function shapeDurationMs(shape: RateShape): number | null {
  return shape.kind === "stages" ? shape.stages.reduce((a, s) => a + s.durationMs, 0) : null;
}

/** The intended request rate (per second) at `tMs` after the start. */
export function rateAt(shape: RateShape, tMs: number): number {
  switch (shape.kind) {
    case "constant":
      return shape.rate;
    case "sine":
      return shape.min +
        (shape.max - shape.min) * (1 - Math.cos((2 * Math.PI * tMs) / shape.periodMs)) / 2;
    case "burst":
      return tMs % shape.everyMs >= shape.everyMs - shape.forMs ? shape.rate : shape.base;
    case "ramp":
    case "stages": {
      const { segments, after } = segmentsOf(shape)!;
      let t0 = 0;
      for (const seg of segments) {
        if (tMs < t0 + seg.durationMs) {
          return seg.from + ((seg.to - seg.from) * (tMs - t0)) / seg.durationMs;
        }
        t0 += seg.durationMs;
      }
      return after;
    }
  }
}

/** The highest rate (per second) of a shape. */
export function peakRate(shape: RateShape): number {
  switch (shape.kind) {
    case "constant":
      return shape.rate;
    case "sine":
      return shape.max;
    case "burst":
      return Math.max(shape.base, shape.rate);
    case "ramp":
      return Math.max(shape.from, shape.to);
    case "stages":
      return Math.max(...shape.stages.map((s) => s.target));
  }
}

/**
 * Intended send times, in ms after the start. A constant rate gives exactly `i * 1000 / rate`
 * (no accumulated rounding); ramps and stages invert their exact cumulative count (the k-th send
 * is where the integral of the rate reaches k, so a rate of 0 is a pause, not a division by
 * zero); sine and burst step by the rate at the previous send.
 *
 * With `stride` N and `offset` i (one of N workers), the schedule is every N-th send of the whole
 * run's schedule starting at the i-th: the workers' sends interleave into exactly the shape.
 */
export class ArrivalSchedule {
  readonly #shape: RateShape;
  readonly #stride: number;
  readonly #offset: number;
  readonly #linear: { segments: Segment[]; after: number } | null;
  #index = 0;
  #t = 0;
  /** Piecewise-linear shapes: the current segment, its start (ms) and the count before it. */
  #seg = 0;
  #segStart = 0;
  #segCount = 0;

  /** Create the schedule of `shape` (every `stride`-th send from the `offset`-th). */
  constructor(shape: RateShape, stride = 1, offset = 0) {
    this.#shape = shape;
    this.#stride = stride;
    this.#offset = offset;
    this.#linear = segmentsOf(shape);
  }

  /** Intended time (ms after the start) of the next send; advances the schedule. */
  next(): number {
    if (this.#index === 0) {
      for (let i = 0; i < this.#offset; i++) this.#step();
    } else {
      for (let i = 1; i < this.#stride; i++) this.#step();
    }
    return this.#step();
  }

  #step(): number {
    const i = this.#index++;
    const shape = this.#shape;
    if (shape.kind === "constant") return (i * 1000) / shape.rate;
    if (this.#linear !== null) return this.#linearAt(i);
    const t = this.#t;
    this.#t += 1000 / rateAt(shape, t);
    return t;
  }

  /** Time (ms) at which the cumulative count of a piecewise-linear shape reaches `k`. */
  #linearAt(k: number): number {
    const { segments, after } = this.#linear!;
    while (this.#seg < segments.length) {
      const seg = segments[this.#seg];
      const a = seg.from;
      const b = (seg.to - seg.from) / (seg.durationMs / 1000); // rate change per second
      const need = k - this.#segCount;
      // Solve a·τ + b·τ²/2 = need for τ (seconds into the segment).
      let tau: number;
      if (b === 0) tau = a > 0 ? need / a : Infinity;
      else {
        const disc = a * a + 2 * b * need;
        tau = disc < 0 ? Infinity : (-a + Math.sqrt(disc)) / b;
        if (!(tau >= 0)) tau = Infinity;
      }
      if (tau * 1000 <= seg.durationMs) return this.#segStart + tau * 1000;
      const secs = seg.durationMs / 1000;
      this.#segCount += a * secs + (b * secs * secs) / 2;
      this.#segStart += seg.durationMs;
      this.#seg++;
    }
    if (after <= 0) return Infinity;
    return this.#segStart + ((k - this.#segCount) * 1000) / after;
  }
}
