/**
 * Group names: present and unique in the file (promtool: `groupname: "x" is repeated in the same
 * file`, `groupname must not be empty`).
 *
 * @module
 */
import type { Check } from "../check.ts";
import type { Problem } from "../model.ts";

/** Group names are set and unique. */
export const groupName: Check = {
  name: "group/name",
  kind: "promtool",
  description: "group names are present and unique in the file",
  file(file, ctx) {
    const out: Problem[] = [];
    const seen = new Map<string, number>();
    for (const g of file.groups) {
      const name = g.name?.value ?? "";
      if (name === "") {
        out.push(
          ctx.node(this.name, "error", g.name?.node ?? g.node, "group name must not be empty"),
        );
        continue;
      }
      const first = seen.get(name);
      if (first !== undefined) {
        const at = ctx.source.position(first);
        out.push(ctx.node(
          this.name,
          "error",
          g.name!.node,
          `group name "${name}" is repeated in the same file (first at line ${at.line})`,
        ));
      } else seen.set(name, ctx.start(g.name!.node));
    }
    return out;
  },
};
