/**
 * Bad input a program may hand the write path: a source that fails midway, strings no database could
 * hold, floats off the number line. Each is refused with a typed error and leaves no file behind.
 */

import assert from "node:assert/strict";
import { BatchWriter, defineTable, int, SourceError, text, writeDataset, writeParquet } from "../mod.ts";
import { allFiles, tempDir } from "./helpers/files.ts";

const notes = defineTable("notes", { id: int(), body: text() });

/** A stream of `good` rows (one row group each) that then errors, as a broken upstream would. */
function failingMidway(good: number): ReadableStream<unknown> {
  let sent = 0;
  return new ReadableStream({
    pull(controller) {
      if (sent === good) return controller.error(new Error("boom midway"));
      controller.enqueue({ id: ++sent, body: `note ${sent}` });
    },
  });
}

async function assertSourceError(write: Promise<unknown>, rowsRead: number): Promise<void> {
  const error = await write.then(() => assert.fail("the write should have failed"), (e) => e);
  assert.ok(error instanceof SourceError, `expected a SourceError, got ${error}`);
  assert.equal(error.table, "notes");
  assert.equal(error.rowsRead, rowsRead);
  assert.match(error.message, /failed after 5 row\(s\): boom midway \(table notes\)/);
  assert.equal((error.cause as Error).message, "boom midway", "the cause is kept");
}

Deno.test("a source that errors midway is a SourceError with the table and the rows read, and leaves no file", async () => {
  const dir = await tempDir();
  await assertSourceError(writeParquet(dir, failingMidway(5), { table: notes, rowGroupSize: 1 }), 5);
  await assertSourceError(
    writeDataset(`${dir}/dataset`, failingMidway(5), { table: notes, partitionBy: ["id"], rowGroupSize: 1 }),
    5,
  );
  const batch = new BatchWriter(`${dir}/batch`);
  await assertSourceError(batch.writeTable(notes, failingMidway(5), { rowGroupSize: 1 }), 5);
  assert.deepEqual(await allFiles(dir), [], "no file, not even a temporary one");
});

Deno.test("an iterator that throws midway is a SourceError too", async () => {
  const dir = await tempDir();
  function* rows() {
    for (let id = 1; id <= 5; id++) yield { id, body: "x" };
    throw new Error("boom midway");
  }
  await assertSourceError(writeParquet(dir, rows(), { table: notes }), 5);
  assert.deepEqual(await allFiles(dir), []);
});
