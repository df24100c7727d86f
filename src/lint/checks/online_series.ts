/**
 * `--prometheus-url`: a selected metric that has no series in Prometheus within the lookback
 * (a misspelt or retired metric: the alert never fires). Names recorded by the file's own rules,
 * `absent()` arguments and Prometheus' `ALERTS` series are not asked about.
 *
 * @module
 */
import type { Check } from "../check.ts";
import { askable } from "../askable.ts";

const SKIP = new Set(["ALERTS", "ALERTS_FOR_STATE"]);

/** Metrics without series. */
export const onlineSeries: Check = {
  name: "online/series",
  kind: "online",
  description: "selected metrics have series in the live Prometheus (--prometheus-url)",
  selector(sel, _a, rule, ctx) {
    const name = askable(sel, ctx);
    if (!name || SKIP.has(name)) return [];
    const at = ctx.inScalar(this.name, "warning", rule.expr!, sel.node.from, "", name);
    ctx.defer({ metrics: [name] }, (facts) => {
      const series = facts.series.get(name);
      if (!series || series.length > 0) return [];
      return [{
        ...at,
        message:
          `metric "${name}" has no series in Prometheus (${facts.url}) in the last ${facts.lookback}: this selector matches nothing`,
      }];
    });
    return [];
  },
};
