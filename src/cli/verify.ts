/**
 * `deno task verify`: checks every file of a committed batch (default: the latest) under an export root:
 * size and SHA-256 against the manifest, then every page's CRC32 and counts.
 *
 * Exit codes: 0 every file intact, 1 a file damaged (or the check failed), 2 bad usage.
 *
 * @module
 */

import { parseArgs } from "node:util";
import { verifyBatch } from "../export/verify.ts";

const USAGE = `Usage: deno task verify [--out ./data] [--batch ID] [--json]

Checks every file that a committed batch (default: the latest) under --out (a folder or s3://bucket/prefix)
names: its size and SHA-256 against the batch manifest, then every page's CRC32 and counts.
Exit code 1 when a file is damaged.`;

/** Runs the command; returns the exit code. */
export async function main(args: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args,
      options: {
        out: { type: "string", default: "./data" },
        batch: { type: "string", default: "latest" },
        json: { type: "boolean", default: false },
        help: { type: "boolean", default: false },
      },
    }));
  } catch (error) {
    console.error(`verify: ${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  try {
    const report = await verifyBatch(values.out, { batch: values.batch });
    const damaged = report.files.filter((f) => f.error !== undefined);
    if (values.json) console.log(JSON.stringify(report));
    for (const file of report.files) {
      console.error(file.error ? `DAMAGED ${file.error}` : `ok ${file.location} (${file.rows} rows)`);
    }
    console.error(
      report.batch === null
        ? `no committed batch under ${values.out}`
        : `batch ${report.batch}: ${
          report.files.length - damaged.length
        } of ${report.files.length} file(s) intact`,
    );
    return damaged.length ? 1 : 0;
  } catch (error) {
    console.error(`verify: ${(error as Error).message}`);
    return 1;
  }
}

if (import.meta.main) Deno.exit(await main(Deno.args));
