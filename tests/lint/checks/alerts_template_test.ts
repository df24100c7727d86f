import { alertFile, checkTable } from "../helpers.ts";

const annotation = (text: string) => alertFile("up == 0", ["annotations:", `  summary: "${text}"`]);

checkTable("alerts/template", [
  {
    name: "variables, pipelines and functions",
    yaml: annotation("{{ $labels.instance }} {{ $value | humanize }} {{ $externalLabels.x }}"),
    want: [],
  },
  {
    name: "undefined variable (the seed-style typo $label)",
    yaml: annotation("x {{ $label.foo }}"),
    want: [["error", 7, 26, 'annotation "summary": template: undefined variable "$label"']],
  },
  {
    name: "unknown function",
    yaml: annotation("{{ $value | humanise }}"),
    want: [["error", 7, 33, 'function "humanise" not defined']],
  },
  {
    name: "unclosed action",
    yaml: annotation("PnL {{ $value "),
    want: [["error", 7, 35, "unclosed action"]],
  },
  {
    name: "missing end in a label",
    yaml: alertFile("up == 0", ["labels:", '  severity: "{{ if $value }}critical"']),
    want: [["error", 7, 45, 'label "severity": template: unexpected EOF']],
  },
  {
    name: "recording rule labels are not templates",
    yaml: alertFile("up", ["labels:", '  a: "{{ oops"'], "record: r"),
    want: [],
  },
  {
    name: "toDuration exists only in 3",
    yaml: annotation("{{ `5m` | toDuration }}"),
    opts: { prometheus: 2 },
    want: [["error", 7, 31, 'function "toDuration" not defined']],
  },
]);
