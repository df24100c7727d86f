/** The tradewatch release version, reported by `--version` and `tradewatch_build_info`. */
export const VERSION = "0.1.0";
