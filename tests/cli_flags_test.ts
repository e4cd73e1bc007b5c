// The export's flags as data engineers use them: --help from the flag table, the README's table, and every
// flag refused clearly on a bad value.

import assert from "node:assert/strict";
import { parseExportArgs, parseSize, USAGE } from "../src/cli/args.ts";
import { markdownFlags } from "../src/cli/command.ts";
import { EXPORT_FLAGS } from "../src/cli/flags.ts";
import { runCli } from "./helpers/cli.ts";
import { env, refused } from "./helpers/flags.ts";

Deno.test("--help lists every flag of the table the parser uses, each default shown", async () => {
  const help = await runCli("export", ["--help"], { env });
  assert.equal(help.code, 0);
  assert.equal(help.stdout.trim(), USAGE);
  for (const flag of EXPORT_FLAGS) {
    const line = new RegExp(
      `^  --${flag.name}${flag.value ? ` ${flag.value.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}` : ""}( |$)`,
      "m",
    );
    assert.match(help.stdout, line, flag.name);
    if (flag.name === "help") continue;
    // Every flag says its default: a value, what the library decides, off for a switch, none when unset.
    const fallback = flag.defaultText ?? flag.default ?? (flag.type === "boolean" ? "off" : "none");
    assert.ok(help.stdout.replace(/\s+/g, " ").includes(`(default: ${fallback})`), flag.name);
  }
  // The parser knows exactly the flags the help lists: each switch parses, anything else is unknown.
  for (
    const flag of EXPORT_FLAGS.filter((f) => f.type === "boolean" && !["leader", "help"].includes(f.name))
  ) {
    parseExportArgs([`--${flag.name}`]);
  }
  refused(["--not-a-flag"], /not-a-flag/);
  const defaults = parseExportArgs([]);
  assert.equal(defaults.rowGroupSize, 100_000);
  assert.equal(defaults.codec, "SNAPPY");
  assert.equal(defaults.idleTimeout, 120_000, "the help's 2m is PostgreSQL's PG_IDLE_TIMEOUT_MS");
  // The other commands share the helper: the same preamble, their own help.
  for (const name of ["verify", "vacuum", "seed", "schemas_check"]) {
    const ran = await runCli(name, ["--help"]);
    assert.equal(ran.code, 0, name);
    const task = name.replace("_", ":");
    assert.match(ran.stdout, new RegExp(`^Usage: deno task ${task} \\[options\\]`), name);
    assert.match(ran.stdout, /--out PATH|--rows N|--table NAME .*\(repeatable\)/);
    const bad = await runCli(name, ["--bogus"]);
    assert.equal(bad.code, 2, name);
    assert.match(bad.stderr, new RegExp(`^${task}: .*bogus.*\\n\\nUsage: deno task ${task}`), name);
  }
  const grace = await runCli("vacuum", ["--grace", "soon"]);
  assert.equal(grace.code, 2);
  assert.match(
    grace.stderr,
    /^vacuum: --grace must be a duration such as 30m, 6h or 2d: current value is soon/,
  );
});

Deno.test("every flag refuses a bad value, naming the flag and the value seen", () => {
  const bad: [string[], RegExp][] = [
    [["--row-group-size", "0"], /--row-group-size must be a positive integer: current value is 0/],
    [["--row-group-size", "ten"], /--row-group-size must be a positive integer: current value is ten/],
    [["--row-group-size", "1e3"], /current value is 1e3/],
    [["--codec", "lz4"], /--codec must be one of .*: current value is lz4/],
    [
      ["--compression-level", "3"],
      /--compression-level needs --codec GZIP, ZSTD, BROTLI: SNAPPY has no levels/,
    ],
    [["--codec", "uncompressed", "--compression-level", "1"], /UNCOMPRESSED has no levels/],
    [
      ["--codec", "zstd", "--compression-level", "23"],
      /for ZSTD must be an integer from 1 to 22: current value is 23/,
    ],
    [["--codec", "zstd", "--compression-level", "0"], /from 1 to 22: current value is 0/],
    [
      ["--codec", "gzip", "--compression-level", "10"],
      /for GZIP must be an integer from 0 to 9: current value is 10/,
    ],
    [["--codec", "brotli", "--compression-level", "12"], /from 0 to 11: current value is 12/],
    [["--codec", "gzip", "--compression-level", "high"], /current value is high/],
    [["--codec", "gzip", "--compression-level", "4.5"], /current value is 4\.5/],
    [
      ["--max-file-size", "0"],
      /--max-file-size must be a size such as 268435456, 256MiB or 1GB: current value is 0/,
    ],
    [["--max-file-size", "big"], /current value is big/],
    [["--max-file-size", "10XB"], /current value is 10XB/],
    [["--max-file-size=-5MiB"], /current value is -5MiB/],
    [["--max-file-size", "1MiB", "--jobs", "2"], /--max-file-size runs in a single job/],
    [
      ["--max-file-size", "1MiB", "--partition-by", "a"],
      /--max-file-size cannot be combined with --partition-by/,
    ],
    [["--query", "SELECT 1"], /--query needs --name/],
    [["--name", "n"], /--name goes with --query: current value is n/],
    [["--query", " ", "--name", "n"], /--query needs a SELECT/],
    [["--query", "SELECT 1", "--name", ".."], /--name is not a valid name: it cannot be empty, \. or \.\./],
    [["--query", "SELECT 1", "--name", ""], /--name is not a valid name/],
    [["--query", "SELECT 1", "--name", "a\u0001b"], /cannot hold control characters/],
    [["--query", "SELECT 1", "--name", "x".repeat(64)], /longer than 63 bytes/],
    [["--query", "SELECT 1", "--name", "t", "--tables", "t"], /--name t is also in --tables/],
    [["--query", "SELECT 1", "--name", "q", "--incremental"], /--query cannot be --incremental/],
    [["--query", "SELECT 1", "--name", "q", "--jobs", "2"], /--query runs in a single job/],
    [
      ["--query", "SELECT 1", "--name", "q", "--special-values", "text"],
      /--query takes --special-values error or null/,
    ],
    [["--out", "-"], /--out - writes one table's file to stdout: name exactly one/],
    [["--out", "-", "--tables", "a,b"], /name exactly one .*current value of --tables is a,b/],
    [["--out", "-", "--tables", "a", "--query", "SELECT 1", "--name", "q"], /name exactly one/],
    [["--out", "-", "--tables", "a", "--partition-by", "x"], /cannot be combined with --partition-by/],
    [["--out", "-", "--tables", "a", "--json"], /cannot be combined with --json/],
    [["--out", "-", "--tables", "a", "--incremental"], /cannot be combined with .*--incremental/],
    [["--out", "-", "--tables", "a", "--jobs", "2"], /cannot be combined with --jobs/],
    [
      ["--idle-timeout", "forever"],
      /--idle-timeout must be a duration such as 30s or 5m: current value is forever/,
    ],
    [["--jobs", "0"], /--jobs must be a positive integer: current value is 0/],
    [["--shard", "3/2", "--snapshot", "s", "--batch", "b"], /--shard takes i\/N/],
    [["--schema"], /schema/],
    [["--config"], /config/],
  ];
  for (const [args, message] of bad) refused(args, message);
  assert.equal(parseSize("256MiB"), 268_435_456);
  assert.equal(parseSize("100MB"), 100_000_000);
  assert.equal(parseSize("1.5 KiB"), 1536);
  assert.equal(parseSize("4096"), 4096);
  const good = parseExportArgs(["--codec", "zstd", "--compression-level", "19", "--max-file-size", "1GiB"]);
  assert.equal(good.compressionLevel, 19);
  assert.equal(good.maxFileSize, 1024 ** 3);
});

Deno.test("the README's flag table is the flag table the parser uses", async () => {
  const readme = await Deno.readTextFile(new URL("../README.md", import.meta.url));
  const copy = /<!-- export-flags:start -->([\s\S]*?)<!-- export-flags:end -->/.exec(readme)?.[1];
  assert.ok(copy, "the README marks its copy of the flag table");
  const normal = (text: string) =>
    text.trim().split("\n").map((line) =>
      line.replace(/-{3,}/g, "---").replace(/\s+/g, " ").replace(/\\\*/g, "*").trim()
    )
      .join("\n");
  assert.equal(normal(copy), normal(markdownFlags(EXPORT_FLAGS)));
});

Deno.test("each flag of the table has a bad value refused, naming it", () => {
  const badValue: Record<string, [string[], RegExp]> = {
    db: [["--db", " "], /--db needs a postgres:\/\/ URL/],
    tables: [["--tables", ", ,"], /--tables needs at least one table name/],
    schema: [["--schema"], /'--schema' argument missing|schema/],
    query: [["--query", "", "--name", "q"], /--query needs a SELECT/],
    name: [["--query", "SELECT 1", "--name", "."], /--name is not a valid name/],
    out: [["--out", " "], /--out needs a folder or s3:\/\/ location/],
    "row-group-size": [["--row-group-size=-1"], /--row-group-size must be a positive integer/],
    codec: [["--codec", "zip"], /--codec must be one of/],
    "special-values": [["--special-values", "zero"], /--special-values must be one of error, null, text/],
    "compression-level": [["--codec", "zstd", "--compression-level", "99"], /--compression-level for ZSTD/],
    "max-file-size": [["--max-file-size", "1PB"], /--max-file-size must be a size/],
    "partition-by": [["--partition-by", "at:minute"], /--partition-by takes col or col:year/],
    incremental: [["--incremental=yes"], /incremental/],
    format: [["--format", "orc"], /--format must be batch or iceberg: current value is orc/],
    watermark: [["--watermark", "t="], /--watermark takes table=column pairs/],
    "unmapped-as-text": [["--unmapped-as-text=1"], /unmapped-as-text/],
    "idle-timeout": [["--idle-timeout", "5 minutes"], /--idle-timeout must be a duration/],
    "no-validate": [["--no-validate=false"], /no-validate/],
    "no-binary-copy": [["--no-binary-copy=0"], /no-binary-copy/],
    jobs: [["--jobs", "two"], /--jobs must be a positive integer: current value is two/],
    leader: [["--leader", "--commit", "b"], /--leader and --commit cannot be combined/],
    shard: [["--shard", "0/2", "--snapshot", "s", "--batch", "b"], /--shard takes i\/N/],
    snapshot: [["--snapshot", "s"], /--snapshot and --batch go with --shard/],
    batch: [["--batch", "b"], /--snapshot and --batch go with --shard/],
    commit: [["--commit", ""], /--commit needs a batch id/],
    "dry-run": [["--dry-run=no"], /dry-run/],
    json: [["--json=yes"], /json/],
    config: [["--config", "/nonexistent/export.json"], /--config \/nonexistent\/export\.json cannot be read/],
  };
  for (const flag of EXPORT_FLAGS.filter((f) => f.name !== "help")) {
    assert.ok(badValue[flag.name], `--${flag.name} has a bad-value case`);
    const [args, message] = badValue[flag.name];
    refused(args, message);
  }
});
