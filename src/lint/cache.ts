/**
 * The per-run cache: what one `--lint-rules` run learns once and reuses across rules and files
 * (parses by expression shape, compiled regexes, parsed templates, 2.42's function names). One
 * instance per run, carried by each file's {@link FileContext}; nothing is module-global, so two
 * runs in one process (tests) never see each other's entries.
 *
 * @module
 */
import type { ParsedExpr } from "./promql/parse.ts";
import type { RegexResult } from "./promql/regex.ts";
import type { TemplateInfo } from "./gotemplate.ts";
import type { Deferred, Needs, OnlineFacts } from "./online.ts";

export type { Deferred, Needs, OnlineFacts };

/** A bounded map: the oldest entry goes when it is full. */
export class Bounded<K, V> {
  readonly #max: number;
  readonly #map = new Map<K, V>();

  constructor(max: number) {
    this.#max = max;
  }

  get(key: K): V | undefined {
    return this.#map.get(key);
  }

  set(key: K, value: V): void {
    if (this.#map.size >= this.#max) this.#map.delete(this.#map.keys().next().value!);
    this.#map.set(key, value);
  }

  get size(): number {
    return this.#map.size;
  }
}

/** Everything cached during one run. */
export class RunCache {
  /**
   * Valid expressions by {@link shape}: expressions that differ only in the digits of number
   * literals of the same length have the same tree, node positions included, and the same verdict.
   * Bounded: the trees of thousands of rules are not kept.
   */
  readonly expressions: Bounded<string, ParsedExpr> = new Bounded(512);
  /** Compiled matcher regexes by version and pattern. */
  readonly regexes: Map<string, RegexResult> = new Map();
  /** Parsed templates by version and {@link shape}. */
  readonly templates: Bounded<string, TemplateInfo> = new Bounded(1024);
  /** Whether Prometheus 2.42's grammar knows a function name. */
  readonly functions242: Map<string, boolean> = new Map();
  /** Online judgements waiting for Prometheus' answers (`--prometheus-url`). */
  readonly deferred: Deferred[] = [];
}
