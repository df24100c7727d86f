/**
 * Group names: present and unique in the file (promtool: `groupname: "x" is repeated in the same
 * file`, `groupname must not be empty`).
 *
 * @module
 */
import type { Check } from "../check.ts";

/** Group names are set and unique. */
export const groupName: Check = {
  name: "group/name",
  kind: "promtool",
  description: "group names are present and unique in the file",
  group(g, ctx) {
    const name = g.name?.value ?? "";
    if (name === "") {
      return [ctx.node(this.name, "error", g.name?.node ?? g.node, "group name must not be empty")];
    }
    const seen = ctx.seen(this.name);
    const first = seen.get(name);
    if (first === undefined) {
      seen.set(name, ctx.start(g.name!.node));
      return [];
    }
    const at = ctx.source.position(first);
    return [ctx.node(
      this.name,
      "error",
      g.name!.node,
      `group name "${name}" is repeated in the same file (first at line ${at.line})`,
    )];
  },
};
