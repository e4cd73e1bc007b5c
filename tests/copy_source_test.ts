/** copyBinaryToParquet, the COPY door: bad COPY streams are refused with clear errors and leave no file. */
import assert from "node:assert/strict";
import { ParquetStorageError, readParquet, ValidationError } from "../mod.ts";
import { tempDir } from "./helpers/files.ts";
import { chunksOf, copyBinary, sinkCopy, small } from "./helpers/copy_pages.ts";

Deno.test({
  name: "copyBinaryToParquet refuses bad COPY streams and leaves no file",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn(t) {
    const good = copyBinary([[1, "a"], [2, null], [3, "ccc"]]);

    await t.step("a good stream, in chunks of any size, is one file", async () => {
      for (const size of [1, 5, 19, 1 << 20]) {
        const { error, files, location } = await sinkCopy(chunksOf(good, size), small, { rowGroupSize: 2 });
        assert.equal(error, undefined);
        assert.deepEqual(files, ["small.parquet"]);
        assert.deepEqual(await readParquet(location), [{ id: 1, name: "a" }, { id: 2, name: null }, {
          id: 3,
          name: "ccc",
        }]);
      }
    });

    await t.step("a wrong signature", async () => {
      const bad = good.slice();
      bad[6] = 0x0d; // "PGCOPY\r": a text-mode line ending mangled it
      const { error, files } = await sinkCopy(chunksOf(bad, 1 << 20), small);
      assert.ok(error instanceof ValidationError && /signature/.test(error.message), String(error));
      assert.equal(error.table, "small");
      assert.deepEqual(files, []);
    });

    await t.step("a tuple with the wrong field count names its row", async () => {
      const bad = copyBinary([[1, "a"], [2, "b"], [3, "c", 4]]);
      for (const rowGroupSize of [1, 100]) {
        const { error, files } = await sinkCopy(chunksOf(bad, 3), small, { rowGroupSize });
        assert.ok(error instanceof ValidationError, String(error));
        assert.match(error.message, /expected 2 columns in a COPY tuple, received 3/);
        assert.deepEqual([error.table, error.row], ["small", 3]);
        assert.deepEqual(files, []);
      }
    });

    await t.step(
      "a stream that ends before its trailer: in the header, mid-tuple, between tuples",
      async () => {
        const noTrailer = copyBinary([[1, "a"], [2, "b"]], { trailer: false });
        for (
          const cut of [noTrailer.subarray(0, 10), noTrailer.subarray(0, noTrailer.length - 1), noTrailer]
        ) {
          const { error, files } = await sinkCopy(chunksOf(cut, 4), small, { rowGroupSize: 1 });
          assert.ok(
            error instanceof ParquetStorageError && /ended before its trailer/.test(error.message),
            String(error),
          );
          assert.equal(error.table, "small");
          assert.deepEqual(files, []);
        }
      },
    );

    await t.step("a NULL in a NOT NULL column names table, row and column", async () => {
      const bad = copyBinary([[1, "a"], [2, "b"], [null, "c"]]);
      const { error, files } = await sinkCopy(chunksOf(bad, 1 << 20), small, { rowGroupSize: 2 });
      assert.ok(error instanceof ValidationError, String(error));
      assert.deepEqual([error.table, error.row, error.column], ["small", 3, "id"]);
      assert.deepEqual(files, []);
    });

    await t.step("a source that fails mid-stream", async () => {
      async function* failing() {
        yield good.subarray(0, 30);
        throw new Error("connection reset");
      }
      const { error, files } = await sinkCopy(failing(), small);
      assert.match(String(error), /connection reset/);
      assert.deepEqual(files, []);
    });

    await t.step("a field length below -1 is refused, not read as a value", async () => {
      const bad = copyBinary([[1, "a"]]);
      // The text field's length, 1, becomes -4: read as a value, it steps back onto its own 0xffff, which
      // then reads as the trailer. Unrefused, the file is written, and no reader can decode it.
      bad.set([0xff, 0xff, 0xff, 0xfc], 19 + 2 + 8);
      const { error, files } = await sinkCopy(chunksOf(bad, 1 << 20), small);
      assert.ok(
        error instanceof ParquetStorageError,
        `accepted, or failed without naming the table: ${error}`,
      );
      assert.deepEqual(files, []);
    });

    // postgres.js hands over whole COPY messages, so only other sources (a file, a raw socket) cut tuples.
    const longTuples = [
      copyBinary([[1, "x".repeat(300)], [2, "y".repeat(500)], [3, "z"]]), // the first row group's first tuple
      copyBinary([[1, "a"], [2, "y".repeat(500)], [3, "z"]]), // a later row group's
    ];

    await t.step("a tuple longer than rowGroupBytes, cut across chunks, encoded in this thread", async () => {
      for (const [i, bytes] of longTuples.entries()) {
        const { error, files, location } = await sinkCopy(chunksOf(bytes, 7), small, {
          rowGroupBytes: 64,
          worker: false,
        });
        assert.equal(error, undefined, `case ${i}`);
        assert.deepEqual(files, ["small.parquet"]);
        assert.deepEqual(
          (await readParquet(location)).map((r) => (r.name as string).length),
          i ? [1, 500, 1] : [
            300,
            500,
            1,
          ],
        );
      }
    });

    await t.step("a tuple longer than rowGroupBytes, cut across chunks, encoded in the worker", async () => {
      // In a child process with a time limit: this case has spun forever, and a spinning loop of promises
      // cannot be interrupted from inside.
      const dir = await tempDir();
      await Deno.writeFile(`${dir}/copy.bin`, longTuples[1]);
      const module = (path: string) => JSON.stringify(new URL(path, import.meta.url).href);
      await Deno.writeTextFile(
        `${dir}/child.ts`,
        `import { defineTable, int, readParquet, text } from ${module("../mod.ts")};
import { copyBinaryToParquet } from ${module("../src/export/copy_to_parquet.ts")};
const bytes = await Deno.readFile(${JSON.stringify(`${dir}/copy.bin`)});
async function* chunks() { for (let i = 0; i < bytes.length; i += 7) yield bytes.subarray(i, i + 7); }
const table = defineTable("small", { id: int(), name: text().nullable() });
const { stream } = copyBinaryToParquet(chunks(), table, { rowGroupBytes: 64, worker: true });
const rows = await readParquet(await new Response(stream).bytes());
console.log(rows.map((r) => r.name.length).join());
Deno.exit(0);
`,
      );
      const child = new Deno.Command(Deno.execPath(), {
        args: ["run", "-A", "--config", new URL("../deno.json", import.meta.url).pathname, `${dir}/child.ts`],
        stdout: "piped",
        stderr: "piped",
      }).spawn();
      const limit = setTimeout(() => child.kill("SIGKILL"), 15_000);
      const { code, stdout, stderr } = await child.output();
      clearTimeout(limit);
      const decoder = new TextDecoder();
      const why = code === 137 ? "still running after 15 s, killed" : decoder.decode(stderr).slice(-500);
      assert.equal(code, 0, why);
      assert.equal(decoder.decode(stdout).trim(), "1,500,1");
    });
  },
});
