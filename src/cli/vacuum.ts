/**
 * `deno task vacuum`: lists (with `--dry-run`) or removes what crashed exports leave under an export root,
 * older than a grace period: Parquet files no committed batch manifest names, temporary files of writes
 * that never finished, open S3 multipart uploads.
 *
 * Exit codes: 0 done, 1 failure, 2 bad usage.
 *
 * @module
 */

import { vacuum, type VacuumEntry } from "../export/vacuum.ts";
import { type Command, runCommand, UsageError } from "./command.ts";
import { parseDuration } from "./flag_values.ts";

/** The command and its flags, from which the parser and the help are made. */
export const VACUUM_COMMAND: Command = {
  name: "vacuum",
  description: `Removes what crashed or abandoned exports left under --out (a folder or s3://bucket/prefix),
older than --grace: Parquet files that no committed batch manifest (<out>/_manifests/*.json) names, hidden
temporary files (.<name>.<id>.tmp) of writes that never finished, and S3 multipart uploads left open.`,
  flags: [
    { name: "out", type: "string", value: "PATH", default: "./data", help: "the export root" },
    {
      name: "grace",
      type: "string",
      value: "T",
      default: "24h",
      help: "leave what is younger than this (30m, 6h, 2d)",
    },
    { name: "dry-run", type: "boolean", help: "list what would go, removing nothing" },
    { name: "json", type: "boolean", help: "print what was found as JSON on stdout" },
  ],
  epilogue: "Exit codes: 0 done, 1 failure, 2 bad usage.",
};

/** Runs the command; returns the exit code. */
export function main(args: string[]): Promise<number> {
  return runCommand(VACUUM_COMMAND, args, (flags) => clean(flags as unknown as VacuumFlags));
}

interface VacuumFlags {
  out: string;
  grace: string;
  "dry-run": boolean;
  json: boolean;
}

async function clean(values: VacuumFlags): Promise<number> {
  const graceMs = parseDuration(values.grace);
  if (graceMs === undefined) {
    throw new UsageError(
      `--grace must be a duration such as 30m, 6h or 2d: current value is ${values.grace}`,
    );
  }
  try {
    const found = await vacuum(values.out, { dryRun: values["dry-run"], graceMs });
    if (values.json) {
      console.log(
        JSON.stringify({
          dryRun: values["dry-run"],
          files: found.filter((f) => f.kind === "file").map((f) => ({ location: f.location, bytes: f.size })),
          temporary: found.filter((f) => f.kind === "temporary").map((f) => ({
            location: f.location,
            bytes: f.size,
          })),
          uploads: found.filter((f) => f.kind === "upload").map((f) => ({
            location: f.location,
            uploadId: f.uploadId,
            started: f.modified?.toISOString(),
          })),
        }),
      );
    } else {
      const dry = values["dry-run"];
      const verb = (kind: VacuumEntry["kind"]) =>
        kind === "upload" ? (dry ? "would abort" : "aborted") : (dry ? "would remove" : "removed");
      for (const entry of found) console.error(`${verb(entry.kind)} ${describe(entry)}`);
      const count = (kind: VacuumEntry["kind"]) => found.filter((f) => f.kind === kind).length;
      console.error(
        `${verb("file")} ${count("file")} file(s) no committed batch names and ${count("temporary")} ` +
          `temporary file(s) of unfinished writes, ${verb("upload")} ${count("upload")} open upload(s); ` +
          `all older than ${values.grace}`,
      );
    }
    return 0;
  } catch (error) {
    console.error(`vacuum: ${(error as Error).message}`);
    return 1;
  }
}

function describe(entry: VacuumEntry): string {
  if (entry.kind === "file") return `${entry.location} (${entry.size} bytes)`;
  if (entry.kind === "temporary") return `temporary file ${entry.location} (${entry.size} bytes)`;
  return `open multipart upload ${entry.uploadId} of ${entry.location} (started ${entry.modified?.toISOString()})`;
}

if (import.meta.main) Deno.exit(await main(Deno.args));
