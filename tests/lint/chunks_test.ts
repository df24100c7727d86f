import assert from "node:assert/strict";
import { splitGroups } from "../../src/lint/chunks.ts";

// The fast path must only take files whose first line YAML reads as the key `groups`: a `#`
// right after the colon starts no comment, so `groups:# []` is a scalar and the whole-file
// parser (like promtool) must see it.
const cases: { name: string; text: string; groups: number | undefined }[] = [
  { name: "plain", text: "groups:\n  - name: a\n  - name: b\n", groups: 2 },
  { name: "comment after space", text: "groups: # the groups\n  - name: a\n", groups: 1 },
  { name: "trailing spaces", text: "groups:   \n  - name: a\n", groups: 1 },
  { name: "hash glued to the colon is a scalar", text: "groups:# []\n", groups: undefined },
  { name: "glued hash before groups", text: "groups:#x\n  - name: a\n", groups: undefined },
  { name: "flow sequence", text: "groups: []\n", groups: undefined },
  { name: "tab", text: "groups:\n\t- name: a\n", groups: undefined },
];

for (const c of cases) {
  Deno.test(`splitGroups: ${c.name}`, () => {
    assert.equal(splitGroups(c.text)?.length, c.groups);
  });
}
