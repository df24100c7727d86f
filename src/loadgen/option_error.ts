/**
 * The error of a bad command-line option: the CLI prints its message and exits 2.
 *
 * @module
 */

/** A bad option value or combination; `option` names the flag, e.g. "--rate". */
export class OptionError extends Error {
  /** The flag at fault, when there is one. */
  readonly option: string | undefined;
  /** Create the error. */
  constructor(message: string, option?: string) {
    super(message);
    this.name = "OptionError";
    this.option = option;
  }
}
