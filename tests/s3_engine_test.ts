import assert from "node:assert/strict";
import { ListObjectsV2Command } from "@aws-sdk/client-s3";
import {
  defineTable,
  int,
  listManifests,
  ParquetStorageEngine,
  readCommitted,
  text,
  ValidationError,
} from "../mod.ts";
import { testBucket } from "./helpers/s3_server.ts";

const users = defineTable("users", { id: int(), name: text() });
const notes = defineTable("notes", { id: int(), body: text() });

Deno.test("the facade in s3 mode writes immutable objects and reads them back with filters", async () => {
  await using bucket = await testBucket("engine");
  const { endpoint, credentials } = bucket.options;
  const engine = new ParquetStorageEngine({
    mode: "s3",
    bucket: bucket.name,
    basePath: "lake",
    endpoint,
    credentials,
  });
  assert.equal(engine.root, `s3://${bucket.name}/lake`);
  const path = await engine.writeParquet("users", [{ id: 1, name: "a" }, { id: 2, name: "b" }], {
    schema: users,
  });
  assert.match(
    path,
    new RegExp(`^s3://${bucket.name}/lake/users/users_\\d{8}_\\d{6}_[0-9a-f]{8}\\.parquet$`),
  );
  assert.deepEqual(await engine.readParquet(path, { filters: { id: 2 } }), [{ id: 2, name: "b" }]);
  await assert.rejects(
    engine.writeParquet("users/x.parquet", [{ id: "bad", name: "c" }], { schema: users }),
    ValidationError,
  );
  assert.equal(await bucket.exists("lake/users/x.parquet"), false);
  assert.deepEqual(await bucket.openUploads(), []);
});

Deno.test("an S3 batch is all or nothing, and committed reads see only committed batches", async () => {
  await using bucket = await testBucket("batch");
  const { endpoint, credentials } = bucket.options;
  const engine = new ParquetStorageEngine({ mode: "s3", bucket: bucket.name, endpoint, credentials });
  const manifest = await engine.writeBatch([
    { schema: users, rows: [{ id: 1, name: "a" }] },
    { schema: notes, rows: [{ id: 1, body: "x" }] },
  ]);
  assert.equal(await bucket.exists(`_manifests/${manifest.batch}.json`), true);
  await assert.rejects(
    engine.writeBatch([
      { schema: users, rows: [{ id: 2, name: "b" }] },
      { schema: notes, rows: [{ id: null, body: "bad" }] },
    ]),
    ValidationError,
  );
  const s3 = { endpoint, credentials };
  assert.equal((await listManifests(engine.root, { s3 })).length, 1);
  assert.deepEqual((await readCommitted(engine.root, "users", { s3 })).map((r) => r.id), [1]);
  assert.deepEqual(await bucket.openUploads(), []);
  const listed = await bucket.client.send(
    new ListObjectsV2Command({ Bucket: bucket.name, Prefix: "users/" }),
  );
  assert.equal(listed.KeyCount, 1, "the failed batch's users file was removed");
});
