import { alertFile, checkTable } from "../helpers.ts";

const ann = (expr: string, text: string, extra: string[] = []) =>
  alertFile(expr, [...extra, "annotations:", `  summary: "${text}"`]);

checkTable("alerts/template-labels", [
  {
    name: "a plain selector keeps every label",
    yaml: ann("up == 0", "{{ $labels.instance }}"),
    want: [],
  },
  {
    name: "by (job) keeps job",
    yaml: ann("sum by (job) (up) == 0", "{{ $labels.job }}"),
    want: [],
  },
  {
    name: "by (job) drops instance",
    yaml: ann("sum by (job) (up) == 0", "on {{ $labels.instance }}"),
    want: [[
      "warning",
      7,
      27,
      'annotation "summary" uses $labels.instance, but the query\'s result has no "instance" label (it keeps: job)',
    ]],
  },
  {
    name: "without (instance) drops instance",
    yaml: ann("sum without (instance) (up) == 0", "{{ $labels.instance }}"),
    want: [["warning", 7, 24, 'no "instance" label']],
  },
  {
    name: "a rule label of that name counts",
    yaml: ann("sum(up) == 0", "{{ $labels.team }}", ["labels:", "  team: t"]),
    want: [],
  },
  {
    name: "label_replace adds the label",
    yaml: ann('label_replace(sum(up), "x", "1", "", "") == 0', "{{ $labels.x }}"),
    want: [],
  },
]);
