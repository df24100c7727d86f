/**
 * A small seeded pseudo-random number generator, shared by the simulation (same seed, same price
 * paths) and the load generator (`--seed` makes a run's requests reproducible): mulberry32 for
 * uniforms, Box–Muller for standard normals, and log-normal, integer and pick helpers. Not
 * cryptographic.
 *
 * Hand-written on purpose: it is a dozen lines, must be reproducible across runs and platforms,
 * and `Math.random()` cannot be seeded.
 *
 * @module
 */

/** A seeded source of uniform, normal and log-normal variates. */
export class Rng {
  #state: number;
  #spare: number | null = null;

  /** Creates a generator; the same seed always yields the same sequence. */
  constructor(seed: number) {
    this.#state = (Math.trunc(seed) >>> 0) ^ 0x9e3779b9;
  }

  /** A uniform variate in [0, 1) (mulberry32). */
  next(): number {
    let t = (this.#state = (this.#state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** A standard normal variate (Box–Muller; the second value of each pair is kept). */
  normal(): number {
    if (this.#spare !== null) {
      const s = this.#spare;
      this.#spare = null;
      return s;
    }
    let u = 0;
    while (u === 0) u = this.next();
    const v = this.next();
    const r = Math.sqrt(-2 * Math.log(u));
    this.#spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }

  /** A log-normal variate with the given median and log-space standard deviation `sigma`. */
  logNormal(median: number, sigma: number): number {
    return median * Math.exp(sigma * this.normal());
  }

  /** An integer in [min, max] (both included). */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  /** One element of a non-empty array. */
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)];
  }
}

/** A fresh random seed for runs without a seed. */
export function randomSeed(): number {
  return crypto.getRandomValues(new Uint32Array(1))[0];
}

/** A 32-bit FNV-1a hash of a string, for deriving per-symbol seeds and prices. */
export function hashString(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}
