import { alertFile, checkTable } from "../helpers.ts";

const labels = alertFile("up == 0", ["labels:", "  sev-erity: x", "  __name__: y", "  team: z"]);

checkTable("rule/label-name", [
  {
    name: "legacy names in 2: a dash and __name__ are invalid",
    yaml: labels,
    opts: { prometheus: 2 },
    want: [
      ["error", 7, 11, "invalid label name: sev-erity"],
      ["error", 8, 11, "invalid label name: __name__"],
    ],
  },
  {
    name: "UTF-8 names in 3: only __name__ is invalid",
    yaml: labels,
    want: [["error", 8, 11, "invalid label name: __name__"]],
  },
  {
    name: "group labels (3)",
    yaml: "groups:\n  - name: g\n    labels:\n      __name__: x\n    rules: []\n",
    want: [["error", 4, 7, "invalid label name: __name__"]],
  },
]);
