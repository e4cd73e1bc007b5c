import assert from "node:assert/strict";
import { ListObjectsV2Command } from "@aws-sdk/client-s3";
import { defineTable, int, ParquetStorageEngine, text, ValidationError } from "../mod.ts";
import { listManifests, readCommitted } from "../batch.ts";
import { runCli } from "./helpers/cli.ts";
import { connect, DATABASE_URL, testSchema } from "./helpers/pg.ts";
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

Deno.test("deno task export --out s3://… end to end, read back equal, incremental included", async () => {
  await using bucket = await testBucket("export");
  const sql = connect();
  const schema = await testSchema(sql, "export_s3");
  try {
    await sql.unsafe(`CREATE TABLE "${schema.name}".samples (id int PRIMARY KEY, depth numeric(6,2) NOT NULL,
                      updated_at timestamptz NOT NULL DEFAULT '2026-01-01')`);
    await sql.unsafe(
      `INSERT INTO "${schema.name}".samples SELECT g, g / 4.0 FROM generate_series(1, 5000) g`,
    );
    const { endpoint, credentials } = bucket.options;
    const env = {
      DATABASE_URL,
      AWS_ENDPOINT_URL: endpoint!,
      AWS_ACCESS_KEY_ID: credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
      AWS_REGION: "us-east-1",
    };
    const out = bucket.url("exports");
    const args = ["--schema", schema.name, "--out", out, "--incremental", "--json"];
    const first = await runCli("export", args, { env });
    assert.equal(first.code, 0, first.stderr);
    assert.match(
      JSON.parse(first.stdout).tables[0].location,
      new RegExp(`^s3://${bucket.name}/exports/samples/`),
    );
    await sql.unsafe(`UPDATE "${schema.name}".samples SET depth = 0, updated_at = '2026-02-01' WHERE id = 7`);
    const second = await runCli("export", args, { env });
    assert.equal(second.code, 0, second.stderr);
    assert.equal(JSON.parse(second.stdout).tables[0].rows, 1);

    const s3 = { endpoint, credentials };
    const rows = await readCommitted(out, "samples", { s3 });
    assert.equal(rows.length, 5001);
    const live = await sql.unsafe(
      `SELECT id, depth::text AS depth FROM "${schema.name}".samples ORDER BY id`,
    );
    const newest = new Map(rows.map((r) => [r.id, r.depth])); // files are read oldest first
    assert.deepEqual(
      [...newest.entries()].sort(([a], [b]) => Number(a) - Number(b)).map(([id, depth]) => ({ id, depth })),
      [...live],
    );
    assert.deepEqual(await bucket.openUploads(), []);
  } finally {
    await schema.drop();
    await sql.end();
  }
});
