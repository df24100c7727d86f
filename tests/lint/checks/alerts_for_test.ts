import { alertFile, checkTable } from "../helpers.ts";

checkTable("alerts/for", [
  { name: "twice the scrape interval", yaml: alertFile("up == 0", ["for: 20s"]), want: [] },
  { name: "no for (0s)", yaml: alertFile("up == 0", ["for: 0s"]), want: [] },
  {
    name: "shorter than twice the scrape interval",
    yaml: alertFile("up == 0", ["for: 15s"]),
    want: [["warning", 6, 14, "for: 15s is shorter than twice the scrape interval"]],
  },
]);
