import { checkTable } from "../helpers.ts";

const rules = (body: string) => `groups:\n  - name: g\n    rules:\n${body}`;

checkTable("rule/kind", [
  {
    name: "an alert with expr",
    yaml: rules("      - alert: A\n        expr: up == 0\n"),
    want: [],
  },
  {
    name: "record and alert both set",
    yaml: rules("      - record: r\n        alert: A\n        expr: up\n"),
    want: [["error", 5, 16, "only one of 'record' and 'alert' must be set"]],
  },
  {
    name: "neither record nor alert",
    yaml: rules("      - expr: up\n"),
    want: [["error", 4, 9, "one of 'record' or 'alert' must be set"]],
  },
  {
    name: "no expr",
    yaml: rules("      - alert: A\n"),
    want: [["error", 4, 9, "field 'expr' must be set in rule"]],
  },
  {
    name: "empty expr",
    yaml: rules('      - alert: A\n        expr: ""\n'),
    want: [["error", 5, 15, "field 'expr' must be set in rule"]],
  },
  {
    name: "expr: null is refused in 2 mode too (2.42 accepted it: a deliberate deviation)",
    yaml: rules("      - alert: A\n        expr: null\n"),
    opts: { prometheus: 2 },
    want: [["error", 5, 15, "field 'expr' must be set in rule"]],
  },
  {
    name: "expr given as a mapping",
    yaml: rules("      - alert: A\n        expr:\n          query: up\n"),
    want: [["error", 6, 11, "field 'expr' must be set in rule"]],
  },
]);
