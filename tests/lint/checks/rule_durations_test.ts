import { alertFile, checkTable } from "../helpers.ts";

checkTable("rule/duration", [
  {
    name: "compound, zero and leading-zero durations",
    yaml: alertFile("up == 0", ["for: 1h30m", "keep_firing_for: 01m"]),
    want: [],
  },
  {
    name: "fraction",
    yaml: alertFile("up == 0", ["for: 1.5m"]),
    want: [["error", 6, 14, 'for: not a valid duration string: "1.5m"']],
  },
  {
    name: "a bare number",
    yaml: alertFile("up == 0", ["for: 5"]),
    want: [["error", 6, 14, 'for: not a valid duration string: "5"']],
  },
  {
    name: "empty keep_firing_for",
    yaml: alertFile("up == 0", ['keep_firing_for: ""']),
    want: [["error", 6, 26, "keep_firing_for: empty duration string"]],
  },
]);
