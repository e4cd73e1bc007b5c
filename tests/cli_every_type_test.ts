/**
 * `deno task export`, exactly as a new user types it, of a whole database holding every PostgreSQL and
 * PostGIS type (and point tables, a view, a materialized view): no flag but where to write, exit 0.
 *
 * @module
 */

import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import postgres from "postgres";
import { readParquet } from "../mod.ts";
import { duckdbRows, sqlString } from "./helpers/duckdb.ts";
import { tempDir } from "./helpers/files.ts";
import { connect, DATABASE_URL } from "./helpers/pg.ts";
import { inserts, SHAPES, TABLE } from "./helpers/every_type.ts";

const REPO = fileURLToPath(new URL("../", import.meta.url));

Deno.test("deno task export of a fresh database holding every type exits 0 with no flags", async () => {
  const admin = connect({ max: 1 });
  const name = `every_type_${crypto.randomUUID().slice(0, 8)}`;
  await admin.unsafe(`CREATE DATABASE ${name}`);
  const url = new URL(DATABASE_URL);
  url.pathname = `/${name}`;
  const db = postgres(url.href, { max: 1, onnotice: () => {} });
  try {
    await db.unsafe(`CREATE EXTENSION postgis; CREATE EXTENSION citext`);
    await db.unsafe(TABLE);
    await db.unsafe(inserts());
    await db.unsafe(`
      CREATE TABLE places (id int PRIMARY KEY, home geography(Point,4326));
      CREATE TABLE trips (id int PRIMARY KEY, start geography(Point,4326), finish geometry(Point,4326));
      INSERT INTO places VALUES (1, 'POINT(-1.5 53.8)'), (2, NULL);
      INSERT INTO trips VALUES (1, 'POINT(-1.5 53.8)', 'SRID=4326;POINT(2.35 48.85)');
      CREATE VIEW recent AS SELECT id FROM places;
      CREATE MATERIALIZED VIEW counted AS SELECT count(*) AS n FROM places WITH NO DATA;`);
    const out = await tempDir();
    const env = { ...Deno.env.toObject(), DATABASE_URL: url.href };
    const ran = await new Deno.Command(Deno.execPath(), {
      args: ["task", "export", "--out", out],
      cwd: REPO,
      env,
      clearEnv: true,
      stdout: "piped",
      stderr: "piped",
    }).output();
    const stderr = new TextDecoder().decode(ran.stderr);
    assert.equal(ran.code, 0, stderr);
    assert.doesNotMatch(stderr, /unmapped-as-text/, "no column needed text");
    assert.match(stderr, /skipped counted: .*never populated/);
    assert.match(stderr, /skipped recent: a view/);
    const lines = stderr.split("\n");
    for (const [table, rows] of [["every_type", SHAPES.length + 1], ["numeric_arrays", 3], ["places", 2]]) {
      assert.ok(lines.some((l) => new RegExp(`^${table}\\s+full\\s+${rows}\\s+1\\s`).test(l)), stderr);
    }

    // Point columns are <name>_latitude/<name>_longitude, one point in a table or two.
    const file = async (table: string) => {
      const found = await duckdbRows(
        `SELECT file FROM glob(${sqlString(`${out}/**/${table}_*.parquet`)}) ORDER BY file`,
      );
      assert.equal(found.length, 1, `${table}: ${JSON.stringify(found)}`);
      return String(found[0].file);
    };
    const columns = async (table: string) =>
      (await duckdbRows(`DESCRIBE SELECT * FROM read_parquet(${sqlString(await file(table))})`))
        .map((c) => `${c.column_name} ${c.column_type}`);
    assert.deepEqual(await columns("places"), [
      "id INTEGER",
      "home_latitude DOUBLE",
      "home_longitude DOUBLE",
    ]);
    assert.deepEqual(await columns("trips"), [
      "id INTEGER",
      "start_latitude DOUBLE",
      "start_longitude DOUBLE",
      "finish_latitude DOUBLE",
      "finish_longitude DOUBLE",
    ]);
    assert.deepEqual(await readParquet(await file("trips")), [{
      id: 1,
      start: { latitude: 53.8, longitude: -1.5 },
      finish: { latitude: 48.85, longitude: 2.35 },
    }]);
    const everyType = await readParquet(await file("every_type"));
    assert.equal(everyType.length, SHAPES.length + 1);
    assert.ok(everyType.some((r) => r.b instanceof Uint8Array && r.b.length === 1024 * 1024));
  } finally {
    await db.end();
    await admin.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  }
});
