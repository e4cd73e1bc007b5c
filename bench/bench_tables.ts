/**
 * The bench's tables in PostgreSQL, generated with `generate_series` so every run sees the same rows:
 * a 16-column borehole log (uuids, numerics, varied and categorical text, a nullable int, doubles, a
 * small jsonb, both timestamp kinds, a boolean) and a 60-column wide table. Created once per row
 * count in the `bench` schema and kept, since generating them takes longer than exporting them.
 *
 * @module
 */

import type postgres from "postgres";

/** The bench's PostgreSQL schema. */
export const BENCH_SCHEMA = "bench";

/** Name of the borehole-log table of `rows` rows. */
export const logTable = (rows: number): string => `borehole_log_${rows}`;
/** Name of the 60-column table of `rows` rows. */
export const wideTable = (rows: number): string => `wide_${rows}`;
/** Name of the table of `rows` rows with a `text[]`, an `int[]` (NULL elements) and a geography point. */
export const shapesTable = (rows: number): string => `shapes_${rows}`;
/** Name of the log table whose `logged_at` spans a year (12 month partitions), of `rows` rows. */
export const monthlyTable = (rows: number): string => `borehole_log_monthly_${rows}`;
/** Name of the log copy an incremental export is measured on (made again by each run). */
export const incrementalTable = (rows: number): string => `borehole_log_incremental_${rows}`;

function shapesSql(name: string, rows: number): string {
  return `CREATE TABLE ${BENCH_SCHEMA}.${name} AS
    SELECT
      md5('shape' || i)::uuid AS id,
      i::int AS seq,
      ARRAY['tag' || i % 17, CASE WHEN i % 5 = 0 THEN NULL ELSE 'x' || i % 101 END,
        (ARRAY[${LITHOLOGY.map((l) => `'${l}'`).join(",")}])[1 + i % ${LITHOLOGY.length}]]::text[] AS tags,
      ARRAY[(i % 1000)::int, NULLIF(i % 7, 0)::int, i::int]::int[] AS counts,
      ST_SetSRID(ST_MakePoint(-180 + (i % 36000) / 100.0, -90 + (i % 18000) / 100.0), 4326)::geography(Point,4326) AS at,
      'note ' || (i * 7919 % 100003) AS note,
      timestamptz '2024-01-01 00:00:00+00' + i * interval '1 second' AS logged_at
    FROM generate_series(1::bigint, ${rows}) AS i`;
}

/** The log table again, its `logged_at` spread over a year (so a month key makes 12 partitions). */
function monthlySql(name: string, rows: number): string {
  return `CREATE TABLE ${BENCH_SCHEMA}.${name} AS
    SELECT id, hole_id, run_id, seq, depth_from, depth_to, description, lithology, recovery, x, y, z, attrs,
      timestamptz '2024-01-01 00:00:00+00' + seq * interval '1 second' * ${31_536_000 / rows} AS logged_at,
      sampled_at, verified
    FROM ${BENCH_SCHEMA}.${logTable(rows)}`;
}

/**
 * A fresh copy of the log table for an incremental export: primary key `id`, watermark `logged_at`.
 * Made again by each run, since the run changes it.
 */
export async function freshIncrementalTable(sql: postgres.Sql, rows: number): Promise<string> {
  const name = incrementalTable(rows);
  await sql.unsafe(`DROP TABLE IF EXISTS ${BENCH_SCHEMA}.${name}`);
  await sql.unsafe(
    `CREATE TABLE ${BENCH_SCHEMA}.${name} (LIKE ${BENCH_SCHEMA}.${logTable(rows)} INCLUDING ALL)`,
  );
  await sql.unsafe(`INSERT INTO ${BENCH_SCHEMA}.${name} SELECT * FROM ${BENCH_SCHEMA}.${logTable(rows)}`);
  await sql.unsafe(`VACUUM ANALYZE ${BENCH_SCHEMA}.${name}`);
  return name;
}

/** Changes 10% of the rows of the incremental table: a later watermark, and a new description. */
export async function changeTenPercent(sql: postgres.Sql, rows: number): Promise<void> {
  await sql.unsafe(`UPDATE ${BENCH_SCHEMA}.${incrementalTable(rows)}
    SET logged_at = logged_at + interval '400 days', description = description || ' (revised)'
    WHERE seq % 10 = 0`);
  await sql.unsafe(`VACUUM ANALYZE ${BENCH_SCHEMA}.${incrementalTable(rows)}`);
}

const LITHOLOGY = ["clay", "silt", "sand", "gravel", "sandstone", "mudstone", "limestone", "granite"];

function logSql(name: string, rows: number): string {
  const lithology = `(ARRAY[${LITHOLOGY.map((l) => `'${l}'`).join(",")}])[1 + i % ${LITHOLOGY.length}]`;
  return `CREATE TABLE ${BENCH_SCHEMA}.${name} AS
    SELECT
      md5('log' || i)::uuid AS id,
      md5('hole' || (i / 500))::uuid AS hole_id,
      md5('run' || (i / 50))::uuid AS run_id,
      i::int AS seq,
      ((i % 50000) / 10.0)::numeric(8,2) AS depth_from,
      ((i % 50000) / 10.0 + 0.1 + (i % 7) / 100.0)::numeric(8,2) AS depth_to,
      ${lithology} || ', ' || (ARRAY['firm','soft','stiff','loose','dense'])[1 + i % 5] ||
        ' ' || (ARRAY['grey','brown','red','olive'])[1 + (i / 3) % 4] ||
        repeat(' with fragments', (i % 4)::int) || ' #' || (i * 7919 % 100003) AS description,
      ${lithology} AS lithology,
      CASE WHEN i % 10 = 0 THEN NULL ELSE (i * 31 % 100)::int END AS recovery,
      (500000 + (i % 1000) * 1.5)::float8 AS x,
      (6000000 + (i / 1000) * 2.25)::float8 AS y,
      (-((i % 50000) / 10.0) + sin(i))::float8 AS z,
      jsonb_build_object('rig', 'R' || (i % 12), 'ok', i % 3 = 0) AS attrs,
      timestamptz '2024-01-01 00:00:00+00' + i * interval '1 second' AS logged_at,
      timestamp '2024-01-01 00:00:00' + i * interval '1500 millisecond' AS sampled_at,
      i % 2 = 0 AS verified
    FROM generate_series(1::bigint, ${rows}) AS i`;
}

function wideSql(name: string, rows: number): string {
  const columns: string[] = ["i::int AS id"];
  for (let c = 1; c < 60; c++) {
    switch (c % 6) {
      case 0:
        columns.push(`(i * ${c} % 100000)::int AS int_${c}`);
        break;
      case 1:
        columns.push(`(i * ${c} / 7.0)::float8 AS float_${c}`);
        break;
      case 2:
        columns.push(`'v' || (i * ${c} % 997) AS text_${c}`);
        break;
      case 3:
        columns.push(`((i * ${c}) % 1000000 / 100.0)::numeric(10,2) AS num_${c}`);
        break;
      case 4:
        columns.push(`timestamptz '2024-01-01' + (i * ${c}) * interval '1 second' AS ts_${c}`);
        break;
      default:
        columns.push(`CASE WHEN i % ${c} = 0 THEN NULL ELSE i % 2 = 0 END AS bool_${c}`);
    }
  }
  return `CREATE TABLE ${BENCH_SCHEMA}.${name} AS SELECT ${columns.join(", ")}
    FROM generate_series(1::bigint, ${rows}) AS i`;
}

/** Creates the bench tables of `rows` rows if missing, and returns their names. */
export async function ensureBenchTables(
  sql: postgres.Sql,
  rows: number,
  extra: readonly ("shapes" | "monthly")[] = [],
): Promise<{ log: string; wide: string; shapes: string; monthly: string }> {
  await sql.unsafe(`CREATE SCHEMA IF NOT EXISTS ${BENCH_SCHEMA}`);
  const log = logTable(rows),
    wide = wideTable(rows),
    shapes = shapesTable(rows),
    monthly = monthlyTable(rows);
  if (extra.includes("shapes")) await sql.unsafe(`CREATE EXTENSION IF NOT EXISTS postgis`);
  const wanted: [string, string][] = [[log, logSql(log, rows)], [wide, wideSql(wide, rows)]];
  if (extra.includes("shapes")) wanted.push([shapes, shapesSql(shapes, rows)]);
  if (extra.includes("monthly")) wanted.push([monthly, monthlySql(monthly, rows)]);
  for (const [name, ddl] of wanted) {
    const [{ present }] = await sql`SELECT to_regclass(${`${BENCH_SCHEMA}.${name}`}) IS NOT NULL AS present`;
    if (present) continue;
    console.error(`creating ${BENCH_SCHEMA}.${name} …`);
    await sql.unsafe(`DROP TABLE IF EXISTS ${BENCH_SCHEMA}.${name}`);
    await sql.unsafe(ddl);
    // CREATE TABLE AS leaves every column nullable; the real tables declare NOT NULL, and so the types.
    await sql.unsafe(`DO $$ DECLARE c text; BEGIN
      FOR c IN SELECT attname FROM pg_attribute WHERE attrelid = '${BENCH_SCHEMA}.${name}'::regclass
        AND attnum > 0 AND attname <> 'recovery' AND attname NOT LIKE 'bool%' LOOP
        EXECUTE format('ALTER TABLE ${BENCH_SCHEMA}.${name} ALTER COLUMN %I SET NOT NULL', c);
      END LOOP; END $$`);
    await sql.unsafe(`ALTER TABLE ${BENCH_SCHEMA}.${name} ADD PRIMARY KEY (id)`);
    await sql.unsafe(`VACUUM ANALYZE ${BENCH_SCHEMA}.${name}`);
  }
  return { log, wide, shapes, monthly };
}
