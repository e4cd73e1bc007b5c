/**
 * `deno task vacuum`: lists (with `--dry-run`) or removes the Parquet files under an export root that no
 * committed batch manifest names and that are older than a grace period — what crashed exports leave.
 *
 * Exit codes: 0 done, 1 failure, 2 bad usage.
 *
 * @module
 */

import { parseArgs } from "node:util";
import { vacuum } from "../batch/vacuum.ts";

const USAGE = `Usage: deno task vacuum [--out ./data] [--grace 24h] [--dry-run] [--json]

Removes Parquet files under --out (a folder or s3://bucket/prefix) that no committed batch manifest
(<out>/_manifests/*.json) names and that are older than --grace (e.g. 30m, 6h, 2d; default 24h).
--dry-run lists them without removing anything.`;

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
    const files = await vacuum(values.out, { dryRun: values["dry-run"], graceMs });
    if (values.json) {
      console.log(
        JSON.stringify({
          dryRun: values["dry-run"],
          files: files.map((f) => ({ location: f.location, bytes: f.size })),
        }),
      );
    } else {
      const verb = values["dry-run"] ? "would remove" : "removed";
      for (const file of files) console.error(`${verb} ${file.location} (${file.size} bytes)`);
      console.error(`${verb} ${files.length} file(s) no committed batch names, older than ${values.grace}`);
    }
    return 0;
  } catch (error) {
    console.error(`vacuum: ${(error as Error).message}`);
    return 1;
  }
}

if (import.meta.main) Deno.exit(await main(Deno.args));
