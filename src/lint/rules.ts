/**
 * Names a file's recording rules define (known series for the catalog checks).
 *
 * @module
 */
import type { RuleFile } from "./model.ts";

/** Names recorded by the file's recording rules. */
export function recordedNames(file: RuleFile): Set<string> {
  const out = new Set<string>();
  for (const g of file.groups) {
    for (const r of g.rules) if (r.record?.value) out.add(r.record.value);
  }
  return out;
}
