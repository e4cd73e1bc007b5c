/**
 * The export's live progress: on a terminal a line per table redrawn with rows, rows/s and the bytes
 * written so far (the real CLI run under a pseudo-terminal by `script`); elsewhere, as in a CI log, a
 * plain line every ten seconds per table being written.
 *
 * @module
 */

import assert from "node:assert/strict";
import { PLAIN_PROGRESS_INTERVAL_MS, progressPrinter } from "../src/cli/progress.ts";
import type { TableProgress } from "../src/export/export_options.ts";
import { tempDir } from "./helpers/files.ts";
import { connect, DATABASE_URL, testSchema } from "./helpers/pg.ts";

const ESC = "\x1b";

const report = (table: string, rows: number, seconds: number, bytes?: number): TableProgress => ({
  table,
  rows,
  seconds,
  bytes,
  done: false,
});

function recorder() {
  const written: string[] = [];
  let clock = 0;
  return {
    written,
    tick: (ms: number) => void (clock += ms),
    output: { write: (text: string) => void written.push(text), now: () => clock },
  };
}

Deno.test("on a terminal each report redraws the table's line, bytes included, ending it when done", () => {
  const { written, output } = recorder();
  const print = progressPrinter(true, output);
  print(report("logs", 5000, 0.25));
  print(report("logs", 10000, 0.5, 2 * 1024 * 1024));
  print({ ...report("logs", 12000, 0.6, 3 * 1024 * 1024), done: true });
  assert.deepEqual(written, [
    "\r\x1b[2Klogs: 5,000 rows, 20,000 rows/s",
    "\r\x1b[2Klogs: 10,000 rows, 20,000 rows/s, 2.0 MiB",
    "\r\x1b[2Klogs: 12,000 rows, 20,000 rows/s, 3.0 MiB\n",
  ]);
});

Deno.test("off a terminal a plain line per table every ten seconds, none for a table done sooner", () => {
  const { written, tick, output } = recorder();
  const print = progressPrinter(false, output);
  print(report("quick", 100, 0.25, 10));
  tick(3000);
  print({ ...report("quick", 200, 3, 20), done: true });
  assert.deepEqual(written, [], "a table done in seconds leaves it to the final table");

  print(report("logs", 1000, 0.25, 1024));
  tick(PLAIN_PROGRESS_INTERVAL_MS - 1);
  print(report("logs", 2000, 9.99, 2048));
  assert.deepEqual(written, []);
  tick(1);
  print(report("logs", 3000, 10, 4096));
  // Another table reporting in turn (--jobs) keeps its own clock.
  print(report("events", 10, 0.25, 1));
  tick(PLAIN_PROGRESS_INTERVAL_MS);
  print(report("events", 20, 10.25, 2048));
  print(report("logs", 6000, 20, 8192));
  assert.deepEqual(written, [
    "logs: 3,000 rows, 300 rows/s, 4.0 KiB\n",
    "events: 20 rows, 2 rows/s, 2.0 KiB\n",
    "logs: 6,000 rows, 300 rows/s, 8.0 KiB\n",
  ]);
  assert.ok(!written.join("").includes("\r") && !written.join("").includes(ESC), "no terminal codes");
});

Deno.test("the CLI on a terminal shows the live line with bytes while a table is written", async () => {
  const sql = connect();
  const schema = await testSchema(sql, "cli_progress");
  try {
    await sql.unsafe(`CREATE TABLE "${schema.name}".logs (id bigint PRIMARY KEY, message text NOT NULL);
      INSERT INTO "${schema.name}".logs
      SELECT i, md5(i::text) || md5((i * 7)::text) FROM generate_series(1, 400000) AS i`);
    const out = await tempDir();
    const cli = decodeURIComponent(new URL("../src/cli/export.ts", import.meta.url).pathname);
    const command = [
      Deno.execPath(),
      "run",
      "-A",
      cli,
      "--db",
      DATABASE_URL,
      "--schema",
      schema.name,
      "--out",
      out,
      "--row-group-size",
      "5000",
    ].map((word) => `'${word.replaceAll("'", `'\\''`)}'`).join(" ");
    // script gives the command a pseudo-terminal for stdin, stdout and stderr, and copies what it shows.
    const ran = await new Deno.Command("script", {
      args: ["-qfec", command, "/dev/null"],
      stdin: "null",
      signal: AbortSignal.timeout(120_000),
    }).output();
    const shown = new TextDecoder().decode(ran.stdout);
    assert.equal(ran.code, 0, shown);
    const live = shown.split(`\r${ESC}[2K`).slice(1).map((line) => line.split(/[\r\n]/)[0])
      .filter((line) => line.startsWith("logs: "));
    const withBytes = live.filter((line) =>
      /^logs: [\d,]+ rows, [\d,]+ rows\/s, [\d.]+ (KiB|MiB)$/.test(line)
    );
    assert.ok(withBytes.length >= 2, `live lines with bytes while the table is written:\n${live.join("\n")}`);
    assert.match(
      live.at(-1)!,
      /^logs: 400,000 rows, [\d,]+ rows\/s, [\d.]+ MiB$/,
      "the last one, at the end",
    );
    assert.match(shown, /^total\s+400,000\s+1\s/m, "then the final table");
  } finally {
    await schema.drop();
    await sql.end();
  }
});
