import { checkTable } from "../helpers.ts";

const group = (fields: string) => `groups:\n  - name: g\n${fields}    rules: []\n`;

checkTable("group/duration", [
  {
    name: "valid interval and query_offset (3)",
    yaml: group("    interval: 1m30s\n    query_offset: 30s\n"),
    want: [],
  },
  {
    name: "interval in words",
    yaml: group("    interval: 1 minute\n"),
    want: [["error", 3, 15, 'interval: not a valid duration string: "1 minute"']],
  },
  {
    name: "bad query_offset (3)",
    yaml: group("    query_offset: 5x\n"),
    want: [["error", 3, 19, 'query_offset: not a valid duration string: "5x"']],
  },
]);
