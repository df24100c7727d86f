import { checkTable } from "../helpers.ts";

const record = (name: string) =>
  `groups:\n  - name: g\n    rules:\n      - record: ${name}\n        expr: up\n`;

checkTable("rule/record-name", [
  { name: "a level:metric:operation name", yaml: record("job:up:sum"), want: [] },
  {
    name: "a dash is invalid in 2",
    yaml: record("trade-pnl:sum"),
    opts: { prometheus: 2 },
    want: [["error", 4, 17, "invalid recording rule name: trade-pnl:sum"]],
  },
  { name: "a dash is valid UTF-8 in 3", yaml: record("trade-pnl:sum"), want: [] },
  {
    name: "a dash is invalid in 3 with legacy validation",
    yaml: record("trade-pnl:sum"),
    opts: { nameValidation: "legacy" },
    want: [["error", 4, 17, "invalid recording rule name"]],
  },
  {
    name: "braces in 3",
    yaml: record("'up{job=\"a\"}'"),
    want: [["error", 4, 17, "braces present in the recording rule name"]],
  },
]);
