import { checkTable } from "../helpers.ts";

const record = (extra: string) =>
  `groups:\n  - name: g\n    rules:\n      - record: r\n        expr: up\n${extra}`;

checkTable("rule/fields", [
  { name: "a plain recording rule", yaml: record(""), want: [] },
  { name: "for: 0s is no for", yaml: record("        for: 0s\n"), want: [] },
  {
    name: "for, keep_firing_for and annotations on a recording rule",
    yaml: record(
      "        for: 5m\n        keep_firing_for: 1m\n        annotations:\n          summary: x\n",
    ),
    want: [
      ["error", 6, 14, "invalid field 'for' in recording rule"],
      ["error", 7, 26, "invalid field 'keep_firing_for' in recording rule"],
      ["error", 9, 11, "invalid field 'annotations' in recording rule"],
    ],
  },
]);
