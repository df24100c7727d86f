/**
 * Which selectors the online checks ask Prometheus about.
 *
 * @module
 */
import type { FileContext } from "./context.ts";
import type { Selector } from "./promql/ast.ts";

/**
 * The metric name of a selector worth asking Prometheus about: named, not recorded by the file's
 * own rules (nor named like a recording rule), not the argument of `absent()` (whose metric is
 * expected to be missing).
 */
export function askable(sel: Selector, ctx: FileContext): string | undefined {
  const name = sel.name;
  if (!name || ctx.recorded.has(name) || name.includes(":")) return undefined;
  if (sel.fn === "absent" || sel.fn === "absent_over_time") return undefined;
  return name;
}
