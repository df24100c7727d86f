import { checkTable } from "../helpers.ts";

checkTable("group/name", [
  {
    name: "distinct names are fine",
    yaml: "groups:\n  - name: a\n    rules: []\n  - name: b\n    rules: []\n",
    want: [],
  },
  {
    name: "a repeated name, and a group without one",
    yaml: "groups:\n  - name: a\n    rules: []\n  - name: a\n    rules: []\n  - rules: []\n",
    want: [
      ["error", 4, 11, 'group name "a" is repeated in the same file (first at line 2)'],
      ["error", 6, 5, "group name must not be empty"],
    ],
  },
]);
