/**
 * The one error of bad command-line input, for every mode: the mode prints
 * `tradewatch[ --MODE]: MESSAGE` and exits 2.
 *
 * @module
 */

/** Bad command-line input (an unknown flag, a missing or invalid value, a bad combination). */
export class UsageError extends Error {
  /** The flag at fault (e.g. `--rate`), when there is one. */
  readonly flag: string | undefined;
  /** Create the error; `message` is a sentence without a trailing period. */
  constructor(message: string, flag?: string) {
    super(message);
    this.name = "UsageError";
    this.flag = flag;
  }
}
