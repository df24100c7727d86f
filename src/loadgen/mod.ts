/**
 * The `loadgen` mode of tradewatch.
 *
 * @module
 */

/** Run the loadgen mode with its command-line arguments; resolves to the exit code. */
export function main(_args: string[]): Promise<number> {
  console.error("tradewatch: the loadgen mode is not available yet");
  return Promise.resolve(2);
}
