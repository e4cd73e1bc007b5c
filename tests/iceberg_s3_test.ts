/** Iceberg tables on the Ceph gateway: commits with If-None-Match (racing writers, versions past one part), --jobs 2, a snapshot of no rows, and icebird reading them. */

import assert from "node:assert/strict";
import { GetObjectCommand, PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { icebergRead } from "icebird";
import { defineTable, int, writeParquet } from "../mod.ts";
import { icebergDataFiles, icebergSnapshots, readIcebergTable } from "../iceberg.ts";
import { exportTables } from "../postgres.ts";
import { S3Storage } from "../s3.ts";
import { commitSnapshot, planTable } from "../src/export/iceberg/commit_snapshot.ts";
import { writeVersion } from "../src/export/iceberg/metadata_store.ts";
import { duckdbRows, sqlString } from "./helpers/duckdb.ts";
import { tempDir } from "./helpers/files.ts";
import { connect, testSchema } from "./helpers/pg.ts";
import { testBucket } from "./helpers/s3_server.ts";

/**
 * icebird reads `s3://` paths from public AWS buckets over HTTPS; here those requests are answered by
 * the gateway's GetObject (ranges included), so icebird reads the same objects our writer put there.
 */
async function withGateway<T>(client: S3Client, run: () => Promise<T>): Promise<T> {
  const original = globalThis.fetch;
  globalThis.fetch = async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    const aws = /^([^.]+)\.s3\.amazonaws\.com$/.exec(url.hostname);
    if (!aws) return await original(input, init);
    const range = new Headers(init?.headers).get("Range") ?? undefined;
    try {
      const got = await client.send(
        new GetObjectCommand({
          Bucket: aws[1],
          Key: decodeURIComponent(url.pathname.slice(1)),
          Range: range,
        }),
      );
      const bytes = await got.Body!.transformToByteArray();
      return new Response(bytes as Uint8Array<ArrayBuffer>, { status: range ? 206 : 200 });
    } catch (error) {
      return new Response(String(error), {
        status: (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode ?? 500,
      });
    }
  };
  try {
    return await run();
  } finally {
    globalThis.fetch = original;
  }
}

/** DuckDB reads the listed data files, downloaded (it has no S3 extension here). */
async function duckdbOf(
  client: S3Client,
  bucket: string,
  locations: string[],
): Promise<Record<string, unknown>[]> {
  const dir = await tempDir();
  const paths: string[] = [];
  for (const [i, location] of locations.entries()) {
    const key = location.slice(`s3://${bucket}/`.length);
    const got = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    paths.push(`${dir}/${i}.parquet`);
    await Deno.writeFile(paths.at(-1)!, await got.Body!.transformToByteArray());
  }
  return await duckdbRows(
    `SELECT * FROM read_parquet([${paths.map(sqlString).join(", ")}], union_by_name = true)`,
  );
}

function ids(rows: Record<string, unknown>[]): number[] {
  return rows.map((r) => Number(r.id)).sort((a, b) => a - b);
}

Deno.test("iceberg on S3: full and incremental exports committed to the Ceph gateway, read by icebird at both snapshots", async () => {
  await using bucket = await testBucket("iceberg");
  const sql = connect();
  const schema = await testSchema(sql, "iceberg_s3");
  const t = `"${schema.name}".readings`;
  try {
    await sql.unsafe(
      `CREATE TABLE ${t} (id int PRIMARY KEY, site int NOT NULL, updated_at timestamptz NOT NULL)`,
    );
    await sql.unsafe(`INSERT INTO ${t} SELECT g, g % 4, '2026-01-01 00:00+00' FROM generate_series(1, 50) g`);
    const options = {
      out: bucket.url("lake"),
      schema: schema.name,
      format: "iceberg" as const,
      incremental: true,
      partitionBy: ["site"],
      s3: bucket.options,
    };
    await exportTables(sql, options);
    await sql.unsafe(
      `INSERT INTO ${t} SELECT g, g % 4, '2026-02-01 00:00+00' FROM generate_series(51, 60) g`,
    );
    const second = await exportTables(sql, options);
    assert.deepEqual(second.iceberg!.map((c) => [c.operation, c.version]), [["append", 2]]);
    const table = bucket.url("lake/readings");
    assert.ok(await bucket.exists("lake/readings/metadata/v2.metadata.json"));
    const snapshots = await icebergSnapshots(table, { s3: bucket.options });
    assert.equal(snapshots.length, 2);
    for (const [index, snapshot] of snapshots.entries()) {
      const files = await icebergDataFiles(table, {
        snapshotId: snapshot["snapshot-id"],
        s3: bucket.options,
      });
      const duck = await duckdbOf(bucket.client, bucket.name, files.map((f) => f.location));
      const bird = await withGateway(
        bucket.client,
        () => icebergRead({ tableUrl: table, metadataFileName: `v${index + 1}.metadata.json` }),
      );
      const ours = await readIcebergTable(table, { snapshotId: snapshot["snapshot-id"], s3: bucket.options });
      assert.equal(duck.length, index === 0 ? 50 : 60);
      assert.deepEqual(ids(bird), ids(duck));
      assert.deepEqual(ids(ours), ids(duck));
    }
    const pruned: boolean[] = [];
    const site3 = await readIcebergTable(table, {
      s3: bucket.options,
      filters: { site: 3 },
      onFile: ({ skipped }) => pruned.push(skipped),
    });
    assert.ok(site3.length > 0 && site3.every((r) => r.site === 3));
    assert.ok(pruned.includes(true));
  } finally {
    await schema.drop();
    await sql.end();
  }
});

Deno.test("iceberg on S3: the gateway refuses a second PutObject of a metadata version (412), so racing writers all land, in order", async () => {
  await using bucket = await testBucket("iceberg-race");
  const storage = new S3Storage(bucket.options);
  const location = bucket.url("raced");
  const table = defineTable("raced", { id: int() });
  const plan = planTable(table, [], undefined);
  const commits = await Promise.all([1, 2, 3].map(async (id) => {
    const written = await writeParquet(location, [{ id }], {
      table,
      fieldIds: plan.schema.fieldIds,
      s3: bucket.options,
    });
    const file = { uri: written.location, rows: written.rows, bytes: written.bytes, partition: {} };
    return await commitSnapshot(storage, location, table, [], plan, [file], { operation: "append" });
  }));
  assert.ok(commits.some((c) => c.attempts > 1), "no writer had to retry: the race did not happen");
  const snapshots = await icebergSnapshots(location, { s3: bucket.options });
  assert.deepEqual(snapshots.map((s) => s["sequence-number"]), [1, 2, 3]);
  for (let i = 1; i < 3; i++) {
    assert.equal(snapshots[i]["parent-snapshot-id"], snapshots[i - 1]["snapshot-id"]);
  }
  assert.deepEqual(ids(await readIcebergTable(location, { s3: bucket.options })), [1, 2, 3]);
  // The behaviour the commit rests on: If-None-Match on an existing key is a 412, the object unchanged.
  const refused = await bucket.client.send(
    new PutObjectCommand({
      Bucket: bucket.name,
      Key: "raced/metadata/v1.metadata.json",
      Body: "{}",
      IfNoneMatch: "*",
    }),
  ).then(() => 200, (error) => error.$metadata?.httpStatusCode);
  assert.equal(refused, 412);
  const bird = await withGateway(bucket.client, () => icebergRead({ tableUrl: location }));
  assert.deepEqual(ids(bird), [1, 2, 3]);
  storage.client.destroy();
});

Deno.test("iceberg on S3: a store that cannot be reached is a ReadError naming the location", async () => {
  const s3 = {
    endpoint: "http://127.0.0.1:9",
    region: "us-east-1",
    maxAttempts: 1,
    credentials: { accessKeyId: "x", secretAccessKey: "y" },
  };
  await assert.rejects(readIcebergTable("s3://nowhere/t", { s3 }), (error: Error) => {
    assert.equal(error.name, "ReadError");
    assert.match(error.message, /s3:\/\/nowhere\/t\/metadata/);
    return true;
  });
});

Deno.test("iceberg on S3: of two writers of one metadata version larger than a part, exactly one wins", async () => {
  await using bucket = await testBucket("iceberg-big");
  const storage = new S3Storage(bucket.options);
  // Past the 8 MiB part size: a multipart upload, whose If-None-Match the gateway ignores, would let both
  // writers complete, the second replacing the first's snapshot.
  const big = (writer: string) => ({ "format-version": 2, properties: { pad: writer.repeat(9 * 2 ** 20) } });
  for (const round of [1, 2, 3]) {
    const location = bucket.url(`big${round}`);
    const won = await Promise.all(
      ["a", "b"].map((writer) => writeVersion(storage, location, 1, big(writer) as never)),
    );
    assert.deepEqual(won.filter(Boolean).length, 1, `round ${round}: ${won}`);
    const got = await bucket.client.send(
      new GetObjectCommand({ Bucket: bucket.name, Key: `big${round}/metadata/v1.metadata.json` }),
    );
    const stored = JSON.parse(await got.Body!.transformToString());
    assert.equal(stored.properties.pad[0], won[0] ? "a" : "b", "the winner's metadata is the one stored");
  }
  storage.client.destroy();
});

Deno.test("iceberg on S3 with --jobs 2: block ranges of one snapshot committed as one snapshot, read by icebird", async () => {
  await using bucket = await testBucket("iceberg-jobs");
  const sql = connect({ max: 3 });
  const schema = await testSchema(sql, "iceberg_s3_jobs");
  try {
    await sql.unsafe(`CREATE TABLE "${schema.name}".big (id int PRIMARY KEY, v text NOT NULL)`);
    await sql.unsafe(
      `INSERT INTO "${schema.name}".big SELECT g, repeat('x', 200) || g FROM generate_series(1, 3000) g`,
    );
    await sql.unsafe(`ANALYZE "${schema.name}".big`);
    const out = bucket.url("lake");
    const summary = await exportTables(sql, {
      out,
      schema: schema.name,
      format: "iceberg",
      jobs: 2,
      shardRows: 1000,
      s3: bucket.options,
    });
    assert.deepEqual(summary.iceberg!.map((c) => [c.table, c.operation, c.version]), [[
      "big",
      "overwrite",
      1,
    ]]);
    const table = bucket.url("lake/big");
    const files = await icebergDataFiles(table, { s3: bucket.options });
    assert.ok(files.length >= 3, `${files.length} data files`);
    const duck = await duckdbOf(bucket.client, bucket.name, files.map((f) => f.location));
    const bird = await withGateway(bucket.client, () => icebergRead({ tableUrl: table }));
    assert.equal(duck.length, 3000);
    assert.deepEqual(ids(bird), ids(duck));
    assert.deepEqual(ids(await readIcebergTable(table, { s3: bucket.options })), ids(duck));
  } finally {
    await schema.drop();
    await sql.end();
  }
});

Deno.test("iceberg on S3: a partitioned table emptied since its last snapshot lists a file of no rows on the gateway, which icebird opens", async () => {
  await using bucket = await testBucket("iceberg-empty");
  const sql = connect();
  const schema = await testSchema(sql, "iceberg_s3_empty");
  const e = `"${schema.name}".e`;
  try {
    await sql.unsafe(`CREATE TABLE ${e} (id int PRIMARY KEY, site int NOT NULL)`);
    await sql.unsafe(`INSERT INTO ${e} VALUES (1, 1), (2, 2)`);
    const options = {
      out: bucket.url("lake"),
      schema: schema.name,
      format: "iceberg" as const,
      partitionBy: ["site"],
      s3: bucket.options,
    };
    await exportTables(sql, options);
    await sql.unsafe(`DELETE FROM ${e}`);
    await exportTables(sql, options);
    const table = bucket.url("lake/e");
    const files = await icebergDataFiles(table, { s3: bucket.options });
    assert.deepEqual(files.map((f) => f.rows), [0]);
    assert.match(files[0].location, /\/lake\/e\/site=__HIVE_DEFAULT_PARTITION__\/[^/]+\.parquet$/);
    assert.deepEqual(await duckdbOf(bucket.client, bucket.name, files.map((f) => f.location)), []);
    for (const [version, rows] of [[1, 2], [2, 0]]) {
      const bird = await withGateway(
        bucket.client,
        () => icebergRead({ tableUrl: table, metadataFileName: `v${version}.metadata.json` }),
      );
      assert.equal(bird.length, rows, `v${version}`);
    }
    assert.deepEqual(await readIcebergTable(table, { s3: bucket.options }), []);
  } finally {
    await schema.drop();
    await sql.end();
  }
});
