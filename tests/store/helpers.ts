/**
 * Helpers for the store tests.
 *
 * @module
 */

import { join } from "node:path";

/**
 * Run `fn` with the path of a database file (`orders.db`, not created) in a fresh temp dir, and
 * delete the dir and all in it afterwards, whether `fn` passes or throws.
 */
export async function withDbFile<T>(fn: (path: string, dir: string) => Promise<T>): Promise<T> {
  const dir = await Deno.makeTempDir();
  try {
    return await fn(join(dir, "orders.db"), dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}
