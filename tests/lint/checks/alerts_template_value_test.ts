import { alertFile, checkTable } from "../helpers.ts";

checkTable("alerts/template-value", [
  {
    name: "value in an annotation",
    yaml: alertFile("up == 0", ["annotations:", '  summary: "{{ $value }}"']),
    want: [],
  },
  {
    name: "$value in a label",
    yaml: alertFile("up == 0", ["labels:", '  severity: "{{ if gt $value 10.0 }}page{{ end }}"']),
    want: [["warning", 7, 31, 'label "severity" uses the alert value']],
  },
  {
    name: ".Value in a label",
    yaml: alertFile("up == 0", ["labels:", '  v: "{{ .Value }}"']),
    want: [["warning", 7, 18, 'label "v" uses the alert value']],
  },
]);
