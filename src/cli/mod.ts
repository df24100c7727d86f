/**
 * The command-line toolkit shared by the modes (serve, `--loadgen`, `--lint-rules`,
 * `--healthcheck`): a flag table parsed strictly into a `Map`, the flags' environment variables,
 * aligned `--help` rows, one {@link UsageError} (exit 2), one duration parser, and value
 * converters with one wording of errors. The library code of each mode never parses flags; its
 * `main` does, with this.
 *
 * ```ts
 * const FLAGS: FlagSpec[] = [
 *   { name: "url", value: "URL", help: "what to probe" },
 *   { name: "timeout", value: "DURATION", help: "give up after this long (default 3s)" },
 *   { name: "help", short: "h", help: "this help" },
 * ];
 * const { values } = parseFlags(args, FLAGS); // throws UsageError
 * const raw = values.get("timeout");
 * const ms = typeof raw === "string" ? durationFlag("--timeout", raw, "s", { gt: 0 }) : 3000;
 * console.log(flagHelp(FLAGS.map((spec) => ({ spec }))));
 * ```
 *
 * @module
 */
export { UsageError } from "./usage_error.ts";
export {
  type EnvSource,
  flagHelp,
  type FlagSpec,
  type FlagValue,
  hang,
  HELP_WIDTH,
  type HelpRow,
  type ParsedFlags,
  parseFlags,
  type ParseOptions,
  processEnv,
  quote,
  readEnv,
  wrapWords,
} from "./flags.ts";
export {
  describeRange,
  durationFlag,
  inRange,
  invalid,
  numberFlag,
  type NumberRange,
  toBool,
  toDurationMs,
  toNumber,
} from "./values.ts";
export { durationText, formatMs, parseDuration } from "../duration.ts";
