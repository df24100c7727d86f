/**
 * Every check, in reporting order.
 *
 * @module
 */
import type { Check } from "../check.ts";
import { groupName } from "./group_name.ts";
import { groupDurations } from "./group_durations.ts";
import { ruleKind } from "./rule_kind.ts";
import { ruleRecordName } from "./rule_record_name.ts";
import { ruleFields } from "./rule_fields.ts";
import { ruleDurations } from "./rule_durations.ts";
import { ruleLabelNames } from "./rule_label_names.ts";
import { ruleAnnotationNames } from "./rule_annotation_names.ts";
import { promqlSyntax } from "./promql_syntax.ts";
import { alertsTemplate } from "./alerts_template.ts";
import { ruleDuplicate } from "./rule_duplicate.ts";
import { promqlSeries } from "./promql_series.ts";
import { promqlRate } from "./promql_rate.ts";
import { promqlRange } from "./promql_range.ts";
import { promqlCounter } from "./promql_counter.ts";
import { promqlHistogram } from "./promql_histogram.ts";
import { alertsFor } from "./alerts_for.ts";
import { alertsComparison } from "./alerts_comparison.ts";
import { alertsTemplateValue } from "./alerts_template_value.ts";
import { alertsTemplateLabels } from "./alerts_template_labels.ts";
import { upgradeLeQuantile } from "./upgrade_le_quantile.ts";
import { upgradeRegexNewline } from "./upgrade_regex_newline.ts";
import { upgradeHoltWinters } from "./upgrade_holt_winters.ts";
import { upgradeRangeBoundary } from "./upgrade_range_boundary.ts";
import { onlineSeries } from "./online_series.ts";
import { onlineLabels } from "./online_labels.ts";
import { onlineCounter } from "./online_counter.ts";
import { onlineRange } from "./online_range.ts";

/** All checks. */
export const CHECKS: readonly Check[] = [
  groupName,
  groupDurations,
  ruleKind,
  ruleRecordName,
  ruleFields,
  ruleDurations,
  ruleLabelNames,
  ruleAnnotationNames,
  promqlSyntax,
  alertsTemplate,
  ruleDuplicate,
  promqlSeries,
  promqlRate,
  promqlCounter,
  promqlHistogram,
  promqlRange,
  alertsFor,
  alertsComparison,
  alertsTemplateValue,
  alertsTemplateLabels,
  upgradeLeQuantile,
  upgradeRegexNewline,
  upgradeHoltWinters,
  upgradeRangeBoundary,
  onlineSeries,
  onlineLabels,
  onlineCounter,
  onlineRange,
];
