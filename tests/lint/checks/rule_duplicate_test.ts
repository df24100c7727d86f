import { checkTable } from "../helpers.ts";

const rule = (name: string, sev: string) =>
  `      - alert: ${name}\n        expr: up == 0\n        labels:\n          severity: ${sev}\n`;

checkTable("rule/duplicate", [
  {
    name: "same name, different labels",
    yaml: `groups:\n  - name: g\n    rules:\n${rule("A", "page")}${rule("A", "ticket")}`,
    want: [],
  },
  {
    name: "same name and labels, across groups",
    yaml: `groups:\n  - name: g\n    rules:\n${rule("A", "page")}  - name: h\n    rules:\n${
      rule("A", "page")
    }`,
    want: [["warning", 10, 16, 'duplicate rule "A": same name and labels as the rule at line 4']],
  },
]);
