/** The export's command line parsed: defaults, every flag, bad values named with what was seen, no database. */

import assert from "node:assert/strict";
import { noDatabaseConfigured, parseExportArgs, UsageError } from "../src/cli/args.ts";

Deno.test("the command line: defaults, every flag, and bad values named with what was seen", () => {
  const defaults = parseExportArgs([]);
  assert.deepEqual(defaults, {
    db: undefined,
    tables: undefined,
    schema: "public",
    out: "./data",
    rowGroupSize: 100_000,
    codec: "SNAPPY",
    partitionBy: undefined,
    incremental: false,
    watermarks: {},
    unmappedAsText: false,
    specialValues: "error",
    idleTimeout: 120_000,
    validate: true,
    binaryCopy: true,
    format: "batch",
    parallel: {
      jobs: 1,
      leader: false,
      shard: undefined,
      snapshot: undefined,
      batch: undefined,
      commit: undefined,
    },
    dryRun: false,
    json: false,
    help: false,
  });
  const all = parseExportArgs([
    "--db=postgres://u@127.0.0.1:5432/d",
    "--tables",
    " borehole, projects ,",
    "--schema",
    "platform",
    "--out",
    "s3://lake/exports",
    "--row-group-size",
    "5000",
    "--codec",
    "zstd",
    "--partition-by",
    "project_id, created_at:month",
    "--incremental",
    "--watermark",
    "borehole=changed_at,projects=updated",
    "--unmapped-as-text",
    "--special-values",
    "text",
    "--no-validate",
    "--no-binary-copy",
    "--format",
    "Iceberg",
    "--dry-run",
    "--json",
  ]);
  assert.deepEqual(all, {
    db: "postgres://u@127.0.0.1:5432/d",
    tables: ["borehole", "projects"],
    schema: "platform",
    out: "s3://lake/exports",
    rowGroupSize: 5000,
    codec: "ZSTD",
    partitionBy: ["project_id", "created_at:month"],
    incremental: true,
    watermarks: { borehole: "changed_at", projects: "updated" },
    unmappedAsText: true,
    specialValues: "text",
    idleTimeout: 120_000,
    validate: false,
    binaryCopy: false,
    format: "iceberg",
    parallel: {
      jobs: 1,
      leader: false,
      shard: undefined,
      snapshot: undefined,
      batch: undefined,
      commit: undefined,
    },
    dryRun: true,
    json: true,
    help: false,
  });
  assert.equal(parseExportArgs(["-h"]).help, true);
  const bad: [string[], RegExp][] = [
    [["--bogus"], /bogus/],
    [["stray"], /stray/],
    [["--row-group-size", "0"], /--row-group-size must be a positive integer: current value is 0/],
    [["--row-group-size", "1.5"], /current value is 1\.5/],
    [["--codec", "rar"], /--codec must be one of UNCOMPRESSED.*: current value is rar/],
    [["--partition-by", ","], /--partition-by needs at least one column/],
    [
      ["--partition-by", "at:week"],
      /--partition-by takes col or col:year\|month\|day\|hour: current value is at:week/,
    ],
    [["--tables", ","], /--tables needs at least one table name/],
    [["--watermark", "x"], /--watermark takes table=column pairs: current value is x/],
    [["--watermark", "a=b=c"], /current value is a=b=c/],
    [["--db", ""], /--db needs a postgres:\/\/ URL/],
    [["--out", ""], /--out needs a folder/],
    [["--json=yes"], /json/],
    [
      ["--special-values", "zero"],
      /--special-values must be one of error, null, text: current value is zero/,
    ],
  ];
  for (const [args, message] of bad) {
    assert.throws(() => parseExportArgs(args), (error: Error) => {
      assert.ok(error instanceof UsageError, args.join(" "));
      assert.match(error.message, message);
      return true;
    });
  }
});

Deno.test("no database is configured only when --db and every database variable are absent", () => {
  const settings = parseExportArgs([]);
  assert.equal(noDatabaseConfigured(settings, () => undefined), true);
  assert.equal(noDatabaseConfigured(parseExportArgs(["--db", "postgres://x"]), () => undefined), false);
  for (const name of ["DATABASE_URL", "PGHOST", "PGDATABASE", "PGPORT", "PGUSER", "PGSERVICE"]) {
    assert.equal(noDatabaseConfigured(settings, (n) => n === name ? "x" : undefined), false, name);
  }
});
