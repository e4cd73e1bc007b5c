/** What the flag tests share: the database, the files of a table, and a refusal checked. */

import assert from "node:assert/strict";
import { join } from "node:path";
import { parseExportArgs, UsageError } from "../../src/cli/args.ts";
import { allFiles } from "./files.ts";
import { DATABASE_URL } from "./pg.ts";

export const env = { DATABASE_URL };

/** The one data file under `dir/<table>/`. */
export async function filesOf(out: string, table: string): Promise<string[]> {
  return (await allFiles(join(out, table))).filter((f) => f.endsWith(".parquet")).map((f) =>
    join(out, table, f)
  );
}

export function refused(args: string[], message: RegExp, readText?: (path: string) => string): void {
  assert.throws(() => parseExportArgs(args, readText), (error: Error) => {
    assert.ok(error instanceof UsageError, `${args.join(" ")}: ${error}`);
    assert.match(error.message, message, args.join(" "));
    return true;
  });
}
