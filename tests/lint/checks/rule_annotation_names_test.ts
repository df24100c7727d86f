import { alertFile, checkTable } from "../helpers.ts";

const yaml = alertFile("up == 0", ["annotations:", "  run-book: http://x", "  summary: s"]);

checkTable("rule/annotation-name", [
  {
    name: "a dash is invalid in 2",
    yaml,
    opts: { prometheus: 2 },
    want: [["error", 7, 11, "invalid annotation name: run-book"]],
  },
  { name: "a dash is valid in 3", yaml, want: [] },
  {
    name: "a dash is invalid in 3 with legacy validation",
    yaml,
    opts: { nameValidation: "legacy" },
    want: [["error", 7, 11, "invalid annotation name: run-book"]],
  },
]);
