/**
 * `deno task verify`: checks every file of a committed batch (default: the latest) under an export root:
 * size and SHA-256 against the manifest, then every page's CRC32 and counts.
 *
 * Exit codes: 0 every file intact, 1 a file damaged (or the check failed), 2 bad usage.
 *
 * @module
 */

import { verifyBatch } from "../export/verify.ts";
import { type Command, runCommand } from "./command.ts";

/** The command and its flags, from which the parser and the help are made. */
export const VERIFY_COMMAND: Command = {
  name: "verify",
  description: `Checks every file that a committed batch (default: the latest) under --out (a folder or
s3://bucket/prefix) names: its size and SHA-256 against the batch manifest, then every page's CRC32 and
counts.`,
  flags: [
    { name: "out", type: "string", value: "PATH", default: "./data", help: "the export root" },
    { name: "batch", type: "string", value: "ID", default: "latest", help: "the batch to check" },
    { name: "json", type: "boolean", help: "print the report as JSON on stdout" },
  ],
  epilogue: "Exit codes: 0 every file intact, 1 a file damaged (or the check failed), 2 bad usage.",
};

/** Runs the command; returns the exit code. */
export function main(args: string[]): Promise<number> {
  return runCommand(VERIFY_COMMAND, args, async (flags) => {
    const values = flags as unknown as { out: string; batch: string; json: boolean };
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
  });
}

if (import.meta.main) Deno.exit(await main(Deno.args));
