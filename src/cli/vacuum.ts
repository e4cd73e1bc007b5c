/**
 * `deno task vacuum`: lists (with `--dry-run`) or removes what crashed exports leave under an export root,
 * older than a grace period: Parquet files no committed batch manifest names, temporary files of writes
 * that never finished, open S3 multipart uploads.
 *
 * Exit codes: 0 done, 1 failure, 2 bad usage.
 *
 * @module
 */

import { parseArgs } from "node:util";
import { vacuum, type VacuumEntry } from "../export/vacuum.ts";

const USAGE = `Usage: deno task vacuum [--out ./data] [--grace 24h] [--dry-run] [--json]

Removes what crashed or abandoned exports left under --out (a folder or s3://bucket/prefix), older than
--grace (e.g. 30m, 6h, 2d; default 24h): Parquet files that no committed batch manifest
(<out>/_manifests/*.json) names, hidden temporary files (.<name>.<id>.tmp) of writes that never finished,
and S3 multipart uploads left open. --dry-run lists them without removing anything.`;

/** Parses a duration like `30m`, `6h`, `2d` or `90s` into milliseconds. */
export function parseDuration(text: string): number | undefined {
  const match = /^(\d+(?:\.\d+)?)(s|m|h|d)$/.exec(text.trim());
  if (!match) return undefined;
  const unit = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[match[2] as "s" | "m" | "h" | "d"];
  return Number(match[1]) * unit;
}

/** Runs the command; returns the exit code. */
export async function main(args: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args,
      options: {
        out: { type: "string", default: "./data" },
        grace: { type: "string", default: "24h" },
        "dry-run": { type: "boolean", default: false },
        json: { type: "boolean", default: false },
        help: { type: "boolean", default: false },
      },
    }));
  } catch (error) {
    console.error(`vacuum: ${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const graceMs = parseDuration(values.grace);
  if (graceMs === undefined) {
    console.error(
      `vacuum: --grace must be a duration such as 30m, 6h or 2d: current value is ${values.grace}\n\n${USAGE}`,
    );
    return 2;
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
