/**
 * Arrival-rate shapes of the open model: constant, a sine wave between two rates, or a base rate
 * with periodic bursts, so that dashboards show movement. `ArrivalSchedule` turns a shape into
 * the intended send times.
 *
 * @module
 */
import { parseDuration } from "../duration.ts";
import { OptionError } from "./option_error.ts";

/** How the request rate (per second) varies over the run. */
export type RateShape =
  | { kind: "constant"; rate: number }
  | { kind: "sine"; periodMs: number; min: number; max: number }
  | { kind: "burst"; base: number; everyMs: number; forMs: number; rate: number };

const FLAG = "--rate-shape";

/**
 * Parse `--rate-shape`: `sine:period=60s,min=100,max=1000` or
 * `burst:every=30s,for=5s,rate=2000` (outside bursts the rate is `--rate`).
 */
export function parseRateShape(text: string, baseRate: number | undefined): RateShape {
  const colon = text.indexOf(":");
  const kind = colon < 0 ? text : text.slice(0, colon);
  const params = new Map<string, string>();
  if (colon >= 0) {
    for (const part of text.slice(colon + 1).split(",")) {
      const eq = part.indexOf("=");
      if (eq <= 0) throw new OptionError(`Rate shape parameter "${part}" is not key=value`, FLAG);
      params.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
    }
  }
  const take = (allowed: string[]) => {
    for (const k of params.keys()) {
      if (!allowed.includes(k)) {
        throw new OptionError(
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
      throw new OptionError(`Rate shape ${kind} needs ${key}=`, FLAG);
    }
    const n = Number(v);
    if (v === "" || !Number.isFinite(n) || n <= 0) {
      throw new OptionError(`Rate shape ${key} must be a positive number, got "${v}"`, FLAG);
    }
    return n;
  };
  const dur = (key: string): number => {
    const v = params.get(key);
    if (v === undefined) throw new OptionError(`Rate shape ${kind} needs ${key}=`, FLAG);
    const ms = parseDuration(v);
    if (ms === null || ms <= 0) {
      throw new OptionError(`Rate shape ${key} must be a positive duration, got "${v}"`, FLAG);
    }
    return ms;
  };
  switch (kind) {
    case "constant":
      take(["rate"]);
      if (baseRate === undefined && !params.has("rate")) {
        throw new OptionError("Rate shape constant needs --rate or rate=", FLAG);
      }
      return { kind, rate: num("rate", baseRate) };
    case "sine": {
      take(["period", "min", "max"]);
      const min = num("min");
      const max = num("max", baseRate);
      if (max < min) throw new OptionError("Rate shape sine needs min <= max", FLAG);
      return { kind, periodMs: dur("period"), min, max };
    }
    case "burst": {
      take(["every", "for", "rate"]);
      if (baseRate === undefined) throw new OptionError("Rate shape burst needs --rate", FLAG);
      const everyMs = dur("every");
      const forMs = dur("for");
      if (forMs >= everyMs) throw new OptionError("Rate shape burst needs for < every", FLAG);
      return { kind, base: baseRate, everyMs, forMs, rate: num("rate") };
    }
    default:
      throw new OptionError(`Unknown rate shape "${kind}", expected sine or burst`, FLAG);
  }
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
  }
}

/**
 * Intended send times, in ms after the start. A constant rate gives exactly `i * 1000 / rate`
 * (no accumulated rounding); other shapes step by the rate at the previous send.
 */
export class ArrivalSchedule {
  readonly #shape: RateShape;
  #index = 0;
  #t = 0;

  /** Create the schedule of `shape`. */
  constructor(shape: RateShape) {
    this.#shape = shape;
  }

  /** Intended time (ms after the start) of the next send; advances the schedule. */
  next(): number {
    const i = this.#index++;
    if (this.#shape.kind === "constant") return (i * 1000) / this.#shape.rate;
    const t = this.#t;
    this.#t += 1000 / rateAt(this.#shape, t);
    return t;
  }
}
