import assert from "node:assert/strict";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { defineTable, int, readParquet, writeParquet } from "../mod.ts";
import { parquetFileName, SinkError } from "../write.ts";
import { LocalFileSink } from "../local.ts";
import { allFiles, tempDir } from "./helpers/files.ts";

const bytes = (...values: number[]) => new Uint8Array(values);

Deno.test("a file appears only on a clean close, under its final name", async () => {
  const dir = await tempDir();
  const sink = new LocalFileSink(join(dir, "a.bin"));
  const writer = sink.getWriter();
  await writer.write(bytes(1, 2));
  const during = await allFiles(dir);
  assert.equal(during.length, 1);
  assert.match(during[0], /^\.a\.bin\.[0-9a-f]{8}\.tmp$/, "only a hidden temporary file while writing");
  await writer.write(bytes(3));
  await writer.close();
  assert.deepEqual(await allFiles(dir), ["a.bin"]);
  assert.deepEqual(await readFile(join(dir, "a.bin")), Buffer.from([1, 2, 3]));
  assert.equal(sink.bytesWritten, 3);
});

Deno.test("an existing file is never replaced, unless overwrite: true (atomically)", async () => {
  const dir = await tempDir();
  const path = join(dir, "a.bin");
  await writeFile(path, "old");
  const error = await ReadableStream.from([bytes(9)]).pipeTo(new LocalFileSink(path)).then(
    () => assert.fail("should refuse"),
    (e) => e,
  );
  assert.ok(error instanceof SinkError);
  assert.match(error.message, /Refusing to replace an existing file.*a\.bin/);
  assert.equal(await readFile(path, "utf8"), "old");
  assert.deepEqual(await allFiles(dir), ["a.bin"], "no temporary file left");

  await ReadableStream.from([bytes(9)]).pipeTo(new LocalFileSink(path, { overwrite: true }));
  assert.deepEqual(await readFile(path), Buffer.from([9]));
  assert.deepEqual(await allFiles(dir), ["a.bin"]);
});

Deno.test("abort, an error upstream, and a signal leave nothing visible", async () => {
  const dir = await tempDir();
  const aborted = new LocalFileSink(join(dir, "a.bin")).getWriter();
  await aborted.write(bytes(1));
  await aborted.abort(new Error("stop"));

  const broken = new ReadableStream({
    start(c) {
      c.enqueue(bytes(1));
    },
    pull(c) {
      c.error(new Error("upstream broke"));
    },
  });
  await assert.rejects(broken.pipeTo(new LocalFileSink(join(dir, "b.bin"))), /upstream broke/);

  const controller = new AbortController();
  const signalled = new LocalFileSink(join(dir, "c.bin"), { signal: controller.signal }).getWriter();
  await signalled.write(bytes(1));
  controller.abort(new Error("cancelled"));
  await assert.rejects(signalled.close());
  assert.deepEqual(await allFiles(dir), []);
});

Deno.test("a non-byte chunk is refused with a clear error", async () => {
  const dir = await tempDir();
  const writer = new LocalFileSink(join(dir, "a.bin")).getWriter();
  await assert.rejects(writer.write("text" as never), /expected Uint8Array/);
  assert.deepEqual(await allFiles(dir), []);
});

Deno.test("file names follow the immutable rule and never collide", () => {
  const now = new Date("2026-11-25T04:05:06Z");
  const names = new Set(Array.from({ length: 1000 }, () => parquetFileName("borehole", now)));
  assert.equal(names.size, 1000);
  for (const name of names) assert.match(name, /^borehole_20261125_040506_[0-9a-f]{8}\.parquet$/);
  // Any table name gives a name inside its folder: separators and spaces are spelled %XX.
  assert.match(parquetFileName("../etc", now), /^\.\.%2Fetc_20261125_040506_[0-9a-f]{8}\.parquet$/);
  assert.match(parquetFileName("a b\\c", now), /^a%20b%5Cc_20261125/);
});

Deno.test("fifty writers at the same moment each get their own file", async () => {
  const dir = await tempDir();
  const table = defineTable("t", { id: int() });
  const results = await Promise.all(
    Array.from({ length: 50 }, (_, i) => writeParquet(dir, [{ id: i }], { table })),
  );
  assert.equal(new Set(results.map((r) => r.location)).size, 50);
  const files = await allFiles(dir);
  assert.equal(files.length, 50);
  const ids = (await Promise.all(files.map((f) => readParquet(join(dir, f))))).flat().map((r) => r.id);
  assert.deepEqual(ids.sort((a, b) => Number(a) - Number(b)), Array.from({ length: 50 }, (_, i) => i));
});

Deno.test("a folder that cannot be created gives a SinkError naming the path", async () => {
  const dir = await tempDir();
  await writeFile(join(dir, "file"), "x");
  const table = defineTable("t", { id: int() });
  const error = await writeParquet(join(dir, "file", "sub"), [{ id: 1 }], { table }).then(
    () => assert.fail("should fail"),
    (e) => e,
  );
  assert.ok(error instanceof SinkError, String(error));
  assert.match(error.message, /Cannot create a temporary file.*file\/sub/);
});
