/**
 * The `server` mode of tradewatch.
 *
 * @module
 */

/** Run the server mode with its command-line arguments; resolves to the exit code. */
export function main(_args: string[]): Promise<number> {
  console.error("tradewatch: the server mode is not available yet");
  return Promise.resolve(2);
}
