/**
 * `--report FILE.html` (placeholder until the charts land).
 *
 * @module
 */
import type { Report } from "./report.ts";

/** Render the HTML report. */
export function renderHtmlReport(report: Report): Promise<string> {
  return Promise.resolve(`<!doctype html><pre>${JSON.stringify(report.requests)}</pre>`);
}
