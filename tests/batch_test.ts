import assert from "node:assert/strict";
import { readFile, utimes, writeFile } from "node:fs/promises";
import { join } from "node:path";
import {
  defineTable,
  int,
  ParquetStorageEngine,
  readDataset,
  ReadError,
  text,
  ValidationError,
  writeParquet,
} from "../mod.ts";
import { SinkError } from "../write.ts";
import {
  BatchWriter,
  committedFiles,
  latestWatermark,
  listManifests,
  readCommitted,
  vacuum,
} from "../batch.ts";
import { allFiles, tempDir } from "./helpers/files.ts";

const users = defineTable("users", { id: int(), name: text() }, { primaryKey: ["id"] });
const notes = defineTable("notes", { id: int(), body: text() });

Deno.test("a batch's files come first, its manifest last, and committed reads see exactly it", async () => {
  const root = await tempDir();
  const batch = new BatchWriter(root);
  await batch.writeTable(users, [{ id: 1, name: "a" }, { id: 2, name: "b" }]);
  assert.equal((await allFiles(root)).filter((f) => f.startsWith("_manifests")).length, 0);
  assert.deepEqual(await readCommitted(root, "users"), [], "uncommitted files are invisible");
  await batch.writeTable(notes, [{ id: 1, body: "x" }]);
  const manifest = await batch.commit({ snapshot: "123:123:" });

  assert.equal(manifest.batch, batch.id);
  assert.match(batch.id, /^\d{8}T\d{9}Z_[0-9a-f]{8}$/);
  const [entry] = manifest.tables;
  assert.equal(entry.files[0].rows, 2);
  assert.match(entry.files[0].sha256, /^[0-9a-f]{64}$/);
  const onDisk = new Uint8Array(await readFile(join(root, entry.files[0].path)));
  assert.equal(entry.files[0].bytes, onDisk.length);
  const digest = await crypto.subtle.digest("SHA-256", onDisk);
  assert.equal(
    entry.files[0].sha256,
    Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join(""),
  );
  assert.equal(entry.schema.name, "users");
  assert.equal((await readCommitted(root, "users")).length, 2);
  assert.deepEqual((await listManifests(root)).map((m) => m.snapshot), ["123:123:"]);
  await assert.rejects(batch.writeTable(users, []), /is committed: start a new one/);
});

Deno.test("files written outside any batch stay invisible to committed reads, and vacuum finds them", async () => {
  const root = await tempDir();
  const committed = new BatchWriter(root);
  await committed.writeTable(users, [{ id: 1, name: "a" }]);
  await committed.commit();
  const stray = await writeParquet(join(root, "users"), [{ id: 99, name: "crashed" }], { table: users });
  assert.deepEqual((await readCommitted(root, "users")).map((r) => r.id), [1]);

  assert.deepEqual(await vacuum(root, { dryRun: true }), [], "a young file is protected by the grace period");
  const listed = await vacuum(root, { dryRun: true, graceMs: 0 });
  assert.deepEqual(listed.map((f) => f.location), [stray.location]);
  assert.ok((await allFiles(root)).some((f) => stray.location.endsWith(f)), "dry run removes nothing");
  const old = new Date(Date.now() - 48 * 3600_000);
  await utimes(stray.location, old, old);
  const removed = await vacuum(root);
  assert.deepEqual(removed.map((f) => f.location), [stray.location]);
  assert.equal((await allFiles(root)).filter((f) => f.endsWith(".parquet")).length, 1);
});

Deno.test("incremental batches add up to the table; a full batch starts over", async () => {
  const root = await tempDir();
  const write = async (rows: { id: number; name: string }[], mode: "full" | "incremental") => {
    const batch = new BatchWriter(root);
    await batch.writeTable(users, rows, {
      mode,
      watermark: { column: "id", value: String(rows.at(-1)?.id ?? null), key: null },
    });
    return (await batch.commit()).batch;
  };
  const first = await write([{ id: 1, name: "a" }], "full");
  await write([{ id: 2, name: "b" }], "incremental");
  const third = await write([{ id: 3, name: "c" }], "incremental");
  assert.deepEqual((await readCommitted(root, "users")).map((r) => r.id), [1, 2, 3]);
  assert.deepEqual((await readCommitted(root, "users", { batch: first })).map((r) => r.id), [1]);
  assert.equal((await committedFiles(root, "users", { batch: third })).batches.length, 3);
  assert.equal((await latestWatermark(root, "users"))?.value, "3");
  await write([{ id: 10, name: "z" }], "full");
  assert.deepEqual((await readCommitted(root, "users")).map((r) => r.id), [10]);
  await assert.rejects(readCommitted(root, "users", { batch: "nope" }), ReadError);
});

Deno.test("concurrent batches into one root never name each other's files", async () => {
  const root = await tempDir();
  const manifests = await Promise.all(Array.from({ length: 8 }, async (_, i) => {
    const batch = new BatchWriter(root);
    await batch.writeTable(
      users,
      Array.from({ length: 50 }, (_, j) => ({ id: i * 1000 + j, name: `run ${i}` })),
    );
    return await batch.commit();
  }));
  assert.equal(new Set(manifests.map((m) => m.batch)).size, 8);
  const named = manifests.flatMap((m) => m.tables[0].files.map((f) => f.path));
  assert.equal(new Set(named).size, 8, "every manifest names its own file only");
  for (const manifest of manifests) {
    const rows = await readCommitted(root, "users", { batch: manifest.batch });
    assert.equal(new Set(rows.map((r) => r.name)).size, 1, "a batch's rows all come from its own run");
  }
});

Deno.test("writeBatch is all or nothing", async () => {
  const basePath = await tempDir();
  const engine = new ParquetStorageEngine({ mode: "local", basePath });
  const good = await engine.writeBatch([
    { schema: users, rows: [{ id: 1, name: "a" }] },
    { schema: notes, rows: [{ id: 1, body: "x" }] },
  ]);
  assert.equal(good.tables.length, 2);
  const before = await allFiles(basePath);

  await assert.rejects(
    engine.writeBatch([
      { schema: users, rows: [{ id: 2, name: "b" }] },
      { schema: notes, rows: [{ id: 2, body: "ok" }, { id: "three", body: "bad" }] },
    ]),
    ValidationError,
  );
  assert.deepEqual(await allFiles(basePath), before, "the failed batch left nothing behind");
  assert.deepEqual((await readCommitted(basePath, "users")).map((r) => r.id), [1]);
  await assert.rejects(engine.writeBatch([]), /without tables/);
});

Deno.test("a manifest is never replaced, and a broken one is reported by name", async () => {
  const root = await tempDir();
  const first = new BatchWriter(root, { id: "20260101T000000000Z_00000000" });
  await first.commit();
  const again = new BatchWriter(root, { id: "20260101T000000000Z_00000000" });
  await assert.rejects(again.commit(), SinkError);
  await writeFile(join(root, "_manifests", "20260102T000000000Z_11111111.json"), "{ not json");
  await assert.rejects(listManifests(root), /Manifest .*11111111\.json is not JSON/);
  await writeFile(join(root, "_manifests", "20260102T000000000Z_11111111.json"), '{"format":"x"}');
  await assert.rejects(listManifests(root), /is not a valid manifest/);
});

Deno.test("deno task vacuum: --dry-run lists, a run removes, bad usage exits 2", async () => {
  const root = await tempDir();
  const stray = await writeParquet(join(root, "users"), [{ id: 1, name: "x" }], { table: users });
  const run = async (...args: string[]) => {
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", new URL("../src/cli/vacuum.ts", import.meta.url).pathname, ...args],
    }).output();
    return {
      code: out.code,
      stdout: new TextDecoder().decode(out.stdout),
      stderr: new TextDecoder().decode(out.stderr),
    };
  };
  const dry = await run("--out", root, "--grace", "0s", "--dry-run", "--json");
  assert.equal(dry.code, 0, dry.stderr);
  assert.deepEqual(JSON.parse(dry.stdout).files.map((f: { location: string }) => f.location), [
    stray.location,
  ]);
  assert.equal((await allFiles(root)).length, 1);
  const real = await run("--out", root, "--grace", "0s");
  assert.equal(real.code, 0, real.stderr);
  assert.match(real.stderr, /removed 1 file/);
  assert.deepEqual(await allFiles(root), []);
  assert.equal((await run("--grace", "soon")).code, 2);
  assert.equal((await run("--bogus")).code, 2);
  assert.equal((await run("--help")).code, 0);
});

Deno.test("readDataset as of a committed batch ignores files no manifest names", async () => {
  const root = await tempDir();
  const batch = new BatchWriter(root);
  await batch.writeTable(users, [{ id: 1, name: "a" }]);
  const { batch: first } = await batch.commit();
  await writeParquet(join(root, "users"), [{ id: 2, name: "crashed run" }], { table: users });
  const second = new BatchWriter(root);
  await second.writeTable(users, [{ id: 3, name: "c" }]);
  await second.commit();

  assert.deepEqual((await readDataset(join(root, "users"))).map((r) => r.id).sort(), [1, 2, 3], "every file");
  assert.deepEqual((await readDataset(join(root, "users"), { batch: "latest" })).map((r) => r.id), [3]);
  assert.deepEqual((await readDataset(join(root, "users"), { batch: first })).map((r) => r.id), [1]);
  const engine = new ParquetStorageEngine({ mode: "local", basePath: root });
  assert.deepEqual((await engine.readParquet("users", { batch: "latest" })).map((r) => r.id), [3]);
});

Deno.test("relative roots, as the CLI's default ./data: batches, committed reads and vacuum agree", async () => {
  const previous = Deno.cwd();
  Deno.chdir(await tempDir());
  try {
    for (const root of ["./data", "data/", "."]) {
      const batch = new BatchWriter(root);
      await batch.writeTable(users, [{ id: 1, name: "a" }]);
      const manifest = await batch.commit();
      assert.match(manifest.tables[0].files[0].path, /^users\/users_\d{8}_\d{6}_[0-9a-f]{8}\.parquet$/);
      assert.equal((await readCommitted(root, "users")).length, 1, root);
      assert.deepEqual(await vacuum(root, { dryRun: true, graceMs: 0 }), [], `${root}: nothing unnamed`);
      await Deno.remove(join(root, "users"), { recursive: true });
      await Deno.remove(join(root, "_manifests"), { recursive: true });
    }
  } finally {
    Deno.chdir(previous);
  }
});
