/**
 * Fixtures of the page tests (copy_pages_test, byte_dictionary_test, column_buffer_dictionary_test,
 * copy_source_test): every kind as PostgreSQL makes it, the wide table, DuckDB and hyparquet read-backs,
 * statistics checks, filters, and hand-made COPY streams and column chunks.
 *
 * Why one file: the test files above share these fixtures, which came out of one test file whole;
 * split further, each would import several of the halves.
 */
import assert from "node:assert/strict";
import { DuckDBInstance } from "@duckdb/node-api";
import { ByteWriter, ParquetWriter } from "hyparquet-writer";
import type { SchemaElement } from "hyparquet";
import {
  defineTable,
  int,
  readParquet,
  type Row,
  text,
  timestamp,
  timestamptz,
  writeParquet,
} from "../../mod.ts";
import type { Filter } from "../../read.ts";
import type { Codec } from "../../write.ts";
import type { ByteDictionary } from "../../src/parquet/byte_dictionary.ts";
import type { ColumnBuffer } from "../../src/parquet/column_buffer.ts";
import { ColumnChunkWriter } from "../../src/parquet/column_chunk.ts";
import { copyBinaryStatement } from "../../src/postgres/copy_binary.ts";
import { copyBinaryToParquet, type CopyEncodeOptions } from "../../src/export/copy_to_parquet.ts";
import { openCopy } from "../../src/postgres/copy_out.ts";
import { readMetadata } from "../../src/read/read_parquet.ts";
import { introspectTable } from "../../src/postgres/introspect.ts";
import { selectList } from "../../src/postgres/read_sql.ts";
import type { TableDefinition } from "../../src/schema/table.ts";
import { LocalStorage } from "../../src/storage/local_storage.ts";
import { loadCompressors } from "../../src/parquet/codecs.ts";
import { sqlString } from "./duckdb.ts";
import { allFiles, tempDir } from "./files.ts";
import { catalogQuery, connect } from "./pg.ts";

export const sql = connect();
export const SCHEMA = `pages_test_${crypto.randomUUID().slice(0, 8)}`;
export const ROWS = 20_000;
export const GROUP = 5_000;
/** Rows at the start of the table that cycle through each column's edge values. */
export const EDGE_ROWS = 60;

/**
 * One PostgreSQL type and the values its columns take, by row group of GROUP rows: edge values then a
 * few distinct values (dictionary kept); every value distinct (dictionary given up mid row group); one
 * value; a few then distinct (all NULL in the nullable column).
 */
export interface Kind {
  name: string;
  pgType: string;
  edges: string[];
  few: string;
  distinct: string;
  one: string;
  /** How to compare it with DuckDB: as text of equal expressions, as floats, or as JSON. */
  compare: "text" | "float" | "json";
  /** PostgreSQL expression of `c` (default `c::text`). */
  pg?: (c: string) => string;
  /** DuckDB expression of `c` (default `CAST(c AS VARCHAR)`). */
  duck?: (c: string) => string;
}

export const lit = (text: string) => `'${text.replaceAll("'", "''")}'`;
export const epochMicros = {
  pg: (c: string) => `(extract(epoch from ${c}) * 1000000)::bigint::text`,
  duck: (c: string) => `CAST(epoch_us(${c}) AS VARCHAR)`,
};
export const epochMillis = {
  pg: (c: string) => `floor(extract(epoch from ${c}) * 1000)::bigint::text`,
  duck: (c: string) => `CAST(epoch_ms(${c}) AS VARCHAR)`,
};
export const TIMESTAMPS = [
  "0001-01-01 00:00:00",
  "1582-10-15 12:00:00.5",
  "1900-01-01 00:00:00.000001",
  "1900-01-01 00:00:00.0005",
  "1969-12-31 23:59:59.999999",
  "1969-12-31 23:59:59.9995",
  "1970-01-01 00:00:00",
  "1970-01-01 00:00:00.000001",
  "1999-12-31 23:59:59.999999",
  "2000-01-01 00:00:00",
  "2038-01-19 03:14:08",
  "2142-12-31 23:59:59.999999",
  "2262-04-11 23:47:16.854775",
  "9999-12-31 23:59:59.999999",
];

export const KINDS: Kind[] = [
  {
    name: "u",
    pgType: "uuid",
    edges: [
      "00000000-0000-0000-0000-000000000000",
      "ffffffff-ffff-ffff-ffff-ffffffffffff",
      "80000000-0000-0000-0000-000000000000",
      "7fffffff-ffff-ffff-ffff-ffffffffffff",
      "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11",
    ].map(lit),
    few: "md5((id % 7)::text)::uuid",
    distinct: "md5(id::text)::uuid",
    one: lit("11111111-2222-3333-4444-555555555555"),
    compare: "text",
  },
  {
    name: "t",
    pgType: "text",
    edges: [
      "''",
      "'a'",
      lit("é ü 漢字"),
      lit("🙂🙃 emoji"),
      lit("\uFB00 ligature"),
      "chr(1114111)",
      "E'tab\\tnew\\nline'",
      lit(`"quoted" \\ back`),
      "repeat('x', 100)",
      "repeat('長', 3000)", // 9000 bytes: more than a 4 KiB page
      "'Z'",
      "'zzz'",
    ],
    few: "'v' || (id % 7)",
    distinct: "'row ' || id || repeat('·', id % 40)",
    one: "'constant'",
    compare: "text",
    duck: (c) => c,
  },
  {
    name: "e",
    pgType: "mood",
    edges: ["'sad'", "'ok'", "'happy'", lit("😀 joy"), lit("ünïcode")],
    few: "(ARRAY['sad', 'ok', 'happy'])[1 + id % 3]",
    distinct: "(enum_range(NULL::mood))[1 + id % 5]",
    one: "'ok'",
    compare: "text",
    duck: (c) => c,
  },
  {
    name: "s",
    pgType: "smallint",
    edges: ["-32768", "32767", "0", "-1", "1", "255", "256", "-256"],
    few: "id % 7 - 3",
    distinct: "id % 65536 - 32768",
    one: "42",
    compare: "text",
  },
  {
    name: "i",
    pgType: "integer",
    edges: ["-2147483648", "2147483647", "0", "-1", "16777216", "-16777217"],
    few: "(id % 7) * 1000000 - 3000000",
    distinct: "id * 104729 - 1000000000",
    one: "7",
    compare: "text",
  },
  {
    name: "b",
    pgType: "bigint",
    edges: [
      "-9223372036854775808",
      "9223372036854775807",
      "0",
      "-1",
      "4294967295",
      "4294967296",
      "-4294967296",
      "-4294967297",
      "2147483648",
      "-2147483649",
      "9007199254740993",
    ],
    few: "(id % 7 - 3) * 10000000000",
    distinct: "id::bigint * 400000000000000 * (1 - 2 * (id % 2))",
    one: "-5",
    compare: "text",
  },
  {
    name: "r",
    pgType: "real",
    edges: [
      "'-0'",
      "'0'",
      "'NaN'",
      "'Infinity'",
      "'-Infinity'",
      "'3.4028235e38'",
      "'-3.4028235e38'",
      "'1.4e-45'",
      "'1.1754944e-38'",
      "'0.1'",
      "'-2.5'",
    ],
    few: "(id % 7) / 4.0",
    distinct: "id * 1.1 + 0.5",
    one: "1.5",
    compare: "float",
    pg: (c) => `${c}::float8::text`,
    duck: (c) => `CAST(CAST(${c} AS DOUBLE) AS VARCHAR)`,
  },
  {
    name: "f",
    pgType: "double precision",
    edges: [
      "'-0'",
      "'0'",
      "'NaN'",
      "'Infinity'",
      "'-Infinity'",
      "'1.7976931348623157e308'",
      "'-1.7976931348623157e308'",
      "'5e-324'",
      "'-5e-324'",
      "'2.2250738585072014e-308'",
      "'0.1'",
      "'1e300'",
      "'0.30000000000000004'",
    ],
    few: "(id % 7) / 3.0",
    distinct: "id::float8 / 7",
    one: "'NaN'", // a row group of NaN only: statistics with no bounds
    compare: "float",
  },
  {
    name: "ok",
    pgType: "boolean",
    edges: ["true", "false"],
    few: "id % 2 = 0",
    distinct: "id % 3 = 0",
    one: "true",
    compare: "text",
    pg: (c) => `${c}::int::text`,
    duck: (c) => `CAST(CAST(${c} AS INTEGER) AS VARCHAR)`,
  },
  {
    name: "d",
    pgType: "date",
    edges: [
      "0001-01-01",
      "1582-10-15",
      "1899-12-31",
      "1969-12-31",
      "1970-01-01",
      "2000-01-01",
      "2000-02-29",
      "2100-03-01",
      "9999-12-31",
    ].map(lit),
    few: "date '2020-01-01' + (id % 7)",
    distinct: "date '1900-01-01' + id",
    one: lit("2024-02-29"),
    compare: "text",
    pg: (c) => `(${c} - date '1970-01-01')::text`,
    duck: (c) => `CAST(${c} - DATE '1970-01-01' AS VARCHAR)`,
  },
  {
    name: "ts",
    pgType: "timestamp",
    edges: TIMESTAMPS.map(lit),
    few: "timestamp '2020-01-01' + (id % 7) * interval '1 hour'",
    distinct: "timestamp '1960-01-01 00:00:00.000001' + id * interval '12345.678901 seconds'",
    one: lit("2024-02-29 12:00:00.5"),
    compare: "text",
    ...epochMicros,
  },
  {
    name: "tz",
    pgType: "timestamptz",
    edges: [
      ...TIMESTAMPS.map((t) => lit(`${t}+00`)),
      lit("2000-01-01 05:30:00.123456+05:30"),
      lit("1969-12-31 23:59:59.999999-01"),
    ],
    few: "timestamptz '2020-01-01 00:00+00' + (id % 7) * interval '1 hour'",
    distinct: "timestamptz '1960-01-01 00:00:00.000001+00' - id * interval '12345.678901 seconds'",
    one: lit("2024-02-29 12:00:00.5+00"),
    compare: "text",
    ...epochMicros,
  },
  {
    // Declared millis below: truncated towards the past, as the row path truncates.
    name: "tsm",
    pgType: "timestamp",
    edges: TIMESTAMPS.map(lit),
    few: "timestamp '2020-01-01' + (id % 7) * interval '1.0005 seconds'",
    distinct: "timestamp '1800-01-01 00:00:00.000001' + id * interval '12345.678901 seconds'",
    one: lit("1969-12-31 23:59:59.9999"),
    compare: "text",
    ...epochMillis,
  },
  {
    name: "tzm",
    pgType: "timestamptz",
    edges: TIMESTAMPS.map((t) => lit(`${t}+00`)),
    few: "timestamptz '2020-01-01 00:00+00' + (id % 7) * interval '1.0005 seconds'",
    distinct: "timestamptz '2200-01-01 00:00:00.000001+00' - id * interval '12345.678901 seconds'",
    one: lit("2024-02-29 12:00:00.5+00"),
    compare: "text",
    ...epochMillis,
  },
  {
    name: "j",
    pgType: "jsonb",
    edges: [
      "{}",
      "[]",
      '"str"',
      "0",
      "-1.50",
      '{"a b": "x, y: z", "n": [1, 2.5, null], "q": "\\"quoted\\" \\\\ "}',
      '{"big": 12345678901234567890, "n": 1.50}',
      '{"emoji": "🙂", "ctl": "\\u0001\\n\\t", "key": {"nested": [true, false]}}',
      '{"b": 1, "10": 2, "9": 3}',
    ].map(lit),
    few: "jsonb_build_object('k', id % 7)",
    distinct: "jsonb_build_object('id', id, 'a', jsonb_build_array(id, id::text, 'x y'))",
    one: lit('{"const": true}'),
    compare: "json",
  },
  {
    name: "n9",
    pgType: "numeric(9,3)",
    edges: ["-999999.999", "999999.999", "0", "-0.001", "0.001", "1", "-1", "123.4", "-100000"],
    few: "(id % 7) * 1.5 - 4",
    distinct: "id * 7.123 - 50000",
    one: "2.5",
    compare: "text",
  },
  {
    name: "n18",
    pgType: "numeric(18,6)",
    edges: [
      "-999999999999.999999",
      "999999999999.999999",
      "0",
      "-0.000001",
      "0.000001",
      "1",
      "4294.967296",
      "-2147483.649",
      "9007199254.740993",
      "-100000000",
    ],
    few: "(id % 7) * 1000.5",
    distinct: "id * 12345.678901 * (1 - 2 * (id % 2))",
    one: "-0.5",
    compare: "text",
  },
  {
    name: "n19",
    pgType: "numeric(19,0)",
    edges: [
      "9999999999999999999",
      "-9999999999999999999",
      "0",
      "-1",
      "1",
      "9223372036854775808",
      "-9223372036854775809",
      "255",
      "-256",
      "10000",
    ],
    few: "(id % 7) - 3",
    distinct: "id::numeric * 480000000000007 * (1 - 2 * (id % 2))",
    one: "12345678901234567",
    compare: "text",
  },
  {
    name: "n38",
    pgType: "numeric(38,10)",
    edges: [
      "9999999999999999999999999999.9999999999",
      "-9999999999999999999999999999.9999999999",
      "-0.0000000001",
      "0",
      "1",
      "12345678901234567890.0123456789",
      "-100000000",
    ],
    few: "(id % 7) * 0.0000000001",
    distinct: "id::numeric * 100000000000000000000 + id::numeric / 3",
    one: "-1",
    compare: "text",
  },
  {
    name: "nf",
    pgType: "numeric",
    edges: [
      "0",
      "-0.000000000123",
      "12345678901234567890.5",
      "'1e-300'::numeric",
      "'1e100'::numeric",
      "-1",
      "1.10",
      "100",
      "-100.000",
    ],
    few: "(id % 7) * 0.25",
    distinct: "id * 1.000001",
    one: "42.000",
    compare: "text",
    pg: (c) => `trim_scale(${c})::text`,
    duck: (c) => c,
  },
];

/** The value of a column of `kind` in row `id`. */
export function valueExpression(kind: Kind, nullable: boolean): string {
  const t = kind.pgType;
  const edges = `(ARRAY[${
    kind.edges.map((e) => `(${e})::${t}`).join(", ")
  }])[1 + (id - 1) % ${kind.edges.length}]`;
  const value = `CASE WHEN id <= ${EDGE_ROWS} THEN ${edges}
    WHEN id <= ${GROUP} THEN (${kind.few})::${t}
    WHEN id <= ${2 * GROUP} THEN (${kind.distinct})::${t}
    WHEN id <= ${3 * GROUP} THEN (${kind.one})::${t}
    WHEN id <= ${3.5 * GROUP} THEN (${kind.few})::${t}
    ELSE (${kind.distinct})::${t} END`;
  if (!nullable) return value;
  return `CASE WHEN id > ${3 * GROUP} OR (id > ${EDGE_ROWS} AND id % 4 = 0) THEN NULL ELSE ${value} END`;
}

/** Each kind's two columns, NOT NULL and nullable (the table adds `always_null` and `same`). */
export const COLUMNS = [
  ...KINDS.flatMap((kind) => [
    { name: kind.name, kind, nullable: false },
    { name: `${kind.name}_n`, kind, nullable: true },
  ]),
];

export async function createWide(): Promise<void> {
  await sql.unsafe(`SET search_path TO ${SCHEMA}`);
  await sql.unsafe(`CREATE TYPE ${SCHEMA}.mood AS ENUM ('sad', 'ok', 'happy', '😀 joy', 'ünïcode')`);
  const columns = COLUMNS.map((c) => `${c.name} ${c.kind.pgType}${c.nullable ? "" : " NOT NULL"}`);
  await sql.unsafe(
    `CREATE TABLE ${SCHEMA}.wide (id int PRIMARY KEY, ${columns.join(", ")}, ` +
      `always_null text, same text NOT NULL)`,
  );
  // COPY reads the heap in order only without a parallel scan: then row groups hold the id ranges above.
  await sql.unsafe(`ALTER TABLE ${SCHEMA}.wide SET (parallel_workers = 0)`);
  await sql.begin(async (tx) => {
    await tx.unsafe(`SET LOCAL search_path TO ${SCHEMA}`);
    await tx.unsafe(
      `INSERT INTO wide SELECT id, ${
        COLUMNS.map((c) => valueExpression(c.kind, c.nullable)).join(",\n")
      }, NULL, 'the same' FROM generate_series(1, ${ROWS}) AS id`,
    );
  });
  // The insert may put a late row in an early page's free space: rewrite the heap in id order.
  await sql.unsafe(`CLUSTER ${SCHEMA}.wide USING wide_pkey`);
}

/** The table as introspected, with the millisecond columns declared so. */
export async function wideDefinition(): Promise<TableDefinition> {
  const live = await introspectTable(catalogQuery(sql), "wide", { schema: SCHEMA });
  return defineTable("wide", {
    ...live.columns,
    tsm: timestamp({ unit: "millis" }),
    tsm_n: timestamp({ unit: "millis" }).nullable(),
    tzm: timestamptz({ unit: "millis" }),
    tzm_n: timestamptz({ unit: "millis" }).nullable(),
  });
}

/** Splits each chunk of `source` into pieces of `size` bytes. */
export async function* rechunk(source: AsyncIterable<Uint8Array>, size?: number): AsyncGenerator<Uint8Array> {
  for await (const chunk of source) {
    if (!size) yield chunk;
    else for (let i = 0; i < chunk.length; i += size) yield chunk.subarray(i, i + size);
  }
}

export async function copyBytes(
  table: TableDefinition,
  name: string,
  options: CopyEncodeOptions,
  chunkSize?: number,
): Promise<Uint8Array> {
  // Through openCopy, as the export reads: a raw postgres.js COPY stream can stall with its socket
  // paused (porsager/postgres#499).
  const copy = await openCopy(sql.unsafe(copyBinaryStatement(table, SCHEMA, name)));
  const { stream } = copyBinaryToParquet(rechunk(copy.chunks, chunkSize), table, options);
  const bytes = await new Response(stream).bytes();
  await copy.end();
  return bytes;
}

export async function writeFile(bytes: Uint8Array): Promise<string> {
  const path = `${await tempDir()}/file.parquet`;
  await Deno.writeFile(path, bytes);
  return path;
}

/** A DuckDB in memory, in UTC so that timestamptz text does not depend on the host. */
export async function openDuckDb(): Promise<
  { rows(query: string): Promise<Record<string, unknown>[]>; close(): void }
> {
  const instance = await DuckDBInstance.create(":memory:");
  const connection = await instance.connect();
  await connection.run("SET TimeZone = 'UTC'");
  return {
    rows: async (query) =>
      (await connection.runAndReadAll(query)).getRowObjectsJson() as Record<string, unknown>[],
    close() {
      connection.closeSync();
      instance.closeSync();
    },
  };
}

export type DuckDb = Awaited<ReturnType<typeof openDuckDb>>;

/** A column of the wide table and how both sides spell its values. */
export interface Compared {
  name: string;
  compare: Kind["compare"];
  pg: string;
  duck: string;
}

export const COMPARED: Compared[] = [
  { name: "id", compare: "text", pg: "id::text", duck: "CAST(id AS VARCHAR)" },
  ...COLUMNS.map(({ name, kind }) => ({
    name,
    compare: kind.compare,
    pg: kind.pg?.(name) ?? `${name}::text`,
    duck: kind.duck?.(name) ?? `CAST(${name} AS VARCHAR)`,
  })),
  { name: "always_null", compare: "text", pg: "always_null", duck: "always_null" },
  { name: "same", compare: "text", pg: "same", duck: "same" },
] as Compared[];

export const digest = (expression: string) =>
  `md5(string_agg(coalesce(md5(${expression}), 'NULL'), ',' ORDER BY id))`;

/** A float's text as either side prints it (shortest round trip), as a number: -0 and NaN kept. */
export function parseFloatText(text: unknown): number | null {
  if (text === null || text === undefined) return null;
  const t = String(text).toLowerCase();
  if (t === "nan") return NaN;
  if (t === "infinity" || t === "inf") return Infinity;
  if (t === "-infinity" || t === "-inf") return -Infinity;
  return Number(t);
}

/** Asserts that DuckDB reads from `path` exactly the values PostgreSQL has in the wide table. */
export async function assertDuckDbReadsPostgres(duck: DuckDb, path: string, label: string): Promise<void> {
  const file = `read_parquet(${sqlString(path)})`;
  const [{ n }] = await duck.rows(`SELECT count(*)::INTEGER AS n FROM ${file}`);
  assert.equal(n, ROWS, `${label}: rows`);
  const texts = COMPARED.filter((c) => c.compare === "text");
  const [pgDigests] = await sql.unsafe(
    `SELECT ${texts.map((c) => `${digest(c.pg)} AS "${c.name}"`).join(", ")} FROM ${SCHEMA}.wide`,
  );
  const [duckDigests] = await duck.rows(
    `SELECT ${texts.map((c) => `${digest(c.duck)} AS "${c.name}"`).join(", ")} FROM ${file}`,
  );
  for (const c of texts) {
    if (pgDigests[c.name] === duckDigests[c.name]) continue;
    // Name the first row that differs.
    const pgRows = await sql.unsafe(`SELECT id, ${c.pg} AS v FROM ${SCHEMA}.wide ORDER BY id`);
    const duckRows = await duck.rows(`SELECT id, ${c.duck} AS v FROM ${file} ORDER BY id`);
    const at = pgRows.findIndex((row, i) => row.v !== duckRows[i]?.v);
    assert.fail(
      `${label}: column ${c.name} differs at id ${pgRows[at]?.id}: ` +
        `PostgreSQL ${JSON.stringify(pgRows[at]?.v)}, DuckDB ${JSON.stringify(duckRows[at]?.v)}`,
    );
  }
  for (const c of COMPARED.filter((c) => c.compare === "float")) {
    const pgRows = await sql.unsafe(`SELECT id, ${c.pg} AS v FROM ${SCHEMA}.wide ORDER BY id`);
    const duckRows = await duck.rows(`SELECT id, ${c.duck} AS v FROM ${file} ORDER BY id`);
    assert.equal(duckRows.length, pgRows.length);
    for (let i = 0; i < pgRows.length; i++) {
      const want = parseFloatText(pgRows[i].v), got = parseFloatText(duckRows[i].v);
      if (!Object.is(want, got)) {
        assert.fail(`${label}: column ${c.name} at id ${pgRows[i].id}: PostgreSQL ${want}, DuckDB ${got}`);
      }
    }
  }
  for (const c of COMPARED.filter((c) => c.compare === "json")) {
    const duckRows = await duck.rows(`SELECT id, CAST(${c.name} AS VARCHAR) AS v FROM ${file} ORDER BY id`);
    // jsonb equality in PostgreSQL: numbers exact, keys in any order.
    const [{ wrong, first }] = await sql.unsafe(
      `SELECT count(*)::int AS wrong, min(x.id) AS first
         FROM unnest($1::int[], $2::text[]) AS x(id, j) JOIN ${SCHEMA}.wide w USING (id)
        WHERE x.j::jsonb IS DISTINCT FROM w.${c.name}`,
      [duckRows.map((r) => Number(r.id)), duckRows.map((r) => r.v as string | null)],
    );
    assert.equal(
      wrong,
      0,
      `${label}: column ${c.name}: ${wrong} JSON values differ, the first at id ${first}`,
    );
  }
}

/** A physical FLOAT/DOUBLE statistic, as the footer has it. */
export interface FloatBound {
  min?: number;
  max?: number;
}

/**
 * Asserts that every row group's statistics in `path` are true of its rows: DuckDB's parquet_metadata
 * against DuckDB's own min/max/count over the group (floats from the footer itself, since DuckDB shows
 * no float bounds once a group holds an infinity).
 */
export async function assertStatisticsTrue(duck: DuckDb, path: string): Promise<void> {
  const file = sqlString(path);
  const footer = await readMetadata(await Deno.readFile(path));
  // Row group of each row, from the footer's row counts.
  let start = 0;
  const ends = footer.row_groups.map((g) => start += Number(g.num_rows));
  const group = `CASE ${ends.map((end, g) => `WHEN file_row_number < ${end} THEN ${g}`).join(" ")} END`;
  const columns = ["id", ...COLUMNS.map((c) => c.name), "always_null", "same"];
  const floats = new Set(COLUMNS.filter((c) => c.kind.compare === "float").map((c) => c.name));
  const actual = await duck.rows(
    `SELECT (${group})::INTEGER AS g, ${
      columns.map((c) => {
        const kept = floats.has(c) ? ` FILTER (WHERE NOT isnan(${c}))` : "";
        const cast = floats.has(c) ? "CAST(CAST(%s AS DOUBLE) AS VARCHAR)" : "CAST(%s AS VARCHAR)";
        return `${cast.replace("%s", `min(${c})${kept}`)} AS "${c}.min", ${
          cast.replace("%s", `max(${c})${kept}`)
        } AS "${c}.max", (count(*) - count(${c}))::INTEGER AS "${c}.nulls"`;
      }).join(", ")
    } FROM read_parquet(${file}, file_row_number = true) GROUP BY g ORDER BY g`,
  );
  const stats = await duck.rows(
    `SELECT row_group_id::INTEGER AS g, path_in_schema AS c, stats_min_value AS min, stats_max_value AS max,
            stats_null_count::INTEGER AS nulls, min_is_exact, max_is_exact
       FROM parquet_metadata(${file})`,
  );
  assert.equal(actual.length, footer.row_groups.length);
  let checked = 0;
  for (const s of stats) {
    const group = actual[s.g as number], c = s.c as string, where = `row group ${s.g}, column ${c}`;
    assert.equal(s.nulls, group[`${c}.nulls`], `${where}: null count`);
    if (floats.has(c)) {
      const chunk = footer.row_groups[s.g as number].columns.find((k) =>
        k.meta_data!.path_in_schema[0] === c
      )!;
      const { min_value, max_value } = chunk.meta_data!.statistics! as {
        min_value?: number;
        max_value?: number;
      };
      assertFloatBounds({ min: min_value, max: max_value }, group[`${c}.min`], group[`${c}.max`], where);
    } else if (group[`${c}.min`] === null) {
      assert.equal(s.min, null, `${where}: no min for a group of nulls`);
      assert.equal(s.max, null, `${where}: no max for a group of nulls`);
    } else if (s.min !== null || s.max !== null) {
      assertBound(
        s.min as string,
        group[`${c}.min`] as string,
        s.min_is_exact === false ? "lower" : "exact",
        where,
      );
      assertBound(
        s.max as string,
        group[`${c}.max`] as string,
        s.max_is_exact === false ? "upper" : "exact",
        where,
      );
    } else {
      // Only two's complement decimals go without bounds (their bytes do not order as Parquet compares them).
      assert.ok(c.startsWith("n19") || c.startsWith("n38"), `${where}: bounds missing`);
    }
    checked++;
  }
  assert.equal(checked, footer.row_groups.length * columns.length);
}

export const utf8 = new TextEncoder();

export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i] - b[i];
  return a.length - b.length;
}

/** `bound` is the group's value, or (truncated) a lower or upper bound of it in byte order. */
export function assertBound(
  bound: string,
  value: string,
  kind: "exact" | "lower" | "upper",
  where: string,
): void {
  if (kind === "exact") return assert.equal(bound, value, `${where}: bound`);
  const order = compareBytes(utf8.encode(bound), utf8.encode(value));
  assert.ok(kind === "lower" ? order <= 0 : order >= 0, `${where}: ${kind} bound ${bound} for ${value}`);
}

export function assertFloatBounds(bound: FloatBound, min: unknown, max: unknown, where: string): void {
  if (min === null) {
    assert.equal(bound.min, undefined, `${where}: no min where every value is NaN`);
    assert.equal(bound.max, undefined, `${where}: no max where every value is NaN`);
    return;
  }
  const lo = parseFloatText(min)!, hi = parseFloatText(max)!;
  // Parquet's rule for signed zero: a zero minimum is written -0, a zero maximum +0.
  assert.ok(Object.is(bound.min, lo === 0 ? -0 : lo), `${where}: min ${bound.min}, rows ${lo}`);
  assert.ok(Object.is(bound.max, hi === 0 ? 0 : hi), `${where}: max ${bound.max}, rows ${hi}`);
}

/** Filters, and what they keep of a row as it reads back (compared as the filters compare values). */
export const dec = (value: unknown) => value === null ? null : BigInt(String(value).replace(".", ""));
export const FILTERS: { filter: Filter; keep: (row: Row) => boolean; prunes: boolean }[] = [
  { filter: { id: { $gt: 12000 } }, keep: (r) => (r.id as number) > 12000, prunes: true },
  { filter: { i: { $lt: -1000000000 } }, keep: (r) => (r.i as number) < -1e9, prunes: true },
  { filter: { b: 9223372036854775807n }, keep: (r) => r.b === 9223372036854775807n, prunes: true },
  {
    filter: { s_n: { $in: [32767, -32768] } },
    keep: (r) => r.s_n === 32767 || r.s_n === -32768,
    prunes: true,
  },
  { filter: { r_n: { $lt: -1e38 } }, keep: (r) => r.r_n !== null && (r.r_n as number) < -1e38, prunes: true },
  { filter: { d: { $lte: "1900-01-01" } }, keep: (r) => (r.d as string) <= "1900-01-01", prunes: false },
  {
    filter: { ts: { $gte: "9999-01-01T00:00:00.000000" } },
    keep: (r) => (r.ts as string) >= "9999-01-01T00:00:00.000000",
    prunes: true,
  },
  {
    filter: { tz_n: { $lt: "1970-01-01T00:00:00.000000Z" } },
    keep: (r) => r.tz_n !== null && (r.tz_n as string) < "1970-01-01T00:00:00.000000Z",
    prunes: false,
  },
  {
    filter: { tsm: { $gt: "2142-01-01T00:00:00.000" } },
    keep: (r) => (r.tsm as string) > "2142-01-01T00:00:00.000",
    prunes: false,
  },
  { filter: { t: { $gt: "v" } }, keep: (r) => (r.t as string) > "v", prunes: false },
  { filter: { t: "" }, keep: (r) => r.t === "", prunes: true },
  { filter: { t_n: null }, keep: (r) => r.t_n === null, prunes: false },
  { filter: { e: "😀 joy" }, keep: (r) => r.e === "😀 joy", prunes: false },
  { filter: { ok_n: false }, keep: (r) => r.ok_n === false, prunes: true },
  { filter: { n9: { $gt: "999999.000" } }, keep: (r) => dec(r.n9)! > 999999000n, prunes: true },
  {
    filter: { n18_n: { $lt: "-1000.000000" } },
    keep: (r) => r.n18_n !== null && dec(r.n18_n)! < -1000000000n,
    prunes: true,
  },
  {
    filter: { n19: { $gte: "9223372036854775808" } },
    keep: (r) => dec(r.n19)! >= 9223372036854775808n,
    prunes: false,
  },
  { filter: { n38_n: { $lt: "0" } }, keep: (r) => r.n38_n !== null && dec(r.n38_n)! < 0n, prunes: false },
  {
    filter: { u: "ffffffff-ffff-ffff-ffff-ffffffffffff" },
    keep: (r) => r.u === "ffffffff-ffff-ffff-ffff-ffffffffffff",
    prunes: false,
  },
  { filter: { always_null: { $ne: "x" } }, keep: () => false, prunes: true },
  { filter: { same: "the same" }, keep: () => true, prunes: false },
  {
    filter: { $or: [{ id: { $lte: 10 } }, { id: { $gt: 19990 } }] },
    keep: (r) => (r.id as number) <= 10 || (r.id as number) > 19990,
    prunes: true,
  },
];

/** NaN is neither above, below nor equal to any value (IEEE 754, and hyparquet's own filters). */
export const NAN_FILTERS: typeof FILTERS = [
  { filter: { f: { $gte: 1e300 } }, keep: (r) => (r.f as number) >= 1e300, prunes: true },
  {
    filter: { f_n: { $lte: -1e300 } },
    keep: (r) => r.f_n !== null && (r.f_n as number) <= -1e300,
    prunes: true,
  },
  { filter: { f: 0.1 }, keep: (r) => r.f === 0.1, prunes: true },
];

export const TEXT_ORDER_FILTERS: typeof FILTERS = [
  // Text compares as Parquet orders it (UTF-8 bytes, so code points, as DuckDB and PostgreSQL's "C" do), where
  // U+10FFFF is the largest; JavaScript's < orders UTF-16 code units, which puts it below U+FB00.
  {
    filter: { t: { $gt: "\uFB00" } },
    keep: (r) => compareBytes(utf8.encode(r.t as string), utf8.encode("\uFB00")) > 0,
    prunes: false,
  },
  {
    filter: { t: { $lt: "\u{1F600}" } },
    keep: (r) => compareBytes(utf8.encode(r.t as string), utf8.encode("\u{1F600}")) < 0,
    prunes: false,
  },
];

/** The same predicate in each dialect, for DuckDB's own pruning by our statistics. */
export const SQL_PREDICATES: { pg: string; duck: string }[] = [
  { pg: "i < -1000000000", duck: "i < -1000000000" },
  { pg: "b = 9223372036854775807", duck: "b = 9223372036854775807" },
  { pg: "s_n IN (32767, -32768)", duck: "s_n IN (32767, -32768)" },
  { pg: "f >= 1e300 AND f <> 'NaN'", duck: "f >= 1e300 AND NOT isnan(f)" },
  { pg: "r < -1e38", duck: "r < -1e38" },
  { pg: "d <= date '1900-01-01'", duck: "d <= DATE '1900-01-01'" },
  { pg: "ts >= timestamp '9999-01-01'", duck: "ts >= TIMESTAMP '9999-01-01'" },
  { pg: "t COLLATE \"C\" > 'v'", duck: "t > 'v'" },
  { pg: "t_n COLLATE \"C\" >= 'row 9999'", duck: "t_n >= 'row 9999'" },
  { pg: "e::text = '😀 joy'", duck: "e = '😀 joy'" },
  { pg: "u = 'ffffffff-ffff-ffff-ffff-ffffffffffff'", duck: "u = 'ffffffff-ffff-ffff-ffff-ffffffffffff'" },
  { pg: "n9 > 999999", duck: "n9 > 999999" },
  { pg: "n18_n < -1000", duck: "n18_n < -1000" },
  { pg: "n19 >= 9223372036854775808", duck: "n19 >= 9223372036854775808" },
  { pg: "ok_n = false", duck: "ok_n = false" },
  { pg: "j_n::text = '{\"const\": true}'", duck: "CAST(j_n AS VARCHAR) = '{\"const\":true}'" },
];

/** A file of one row group from column buffers, written by ColumnChunkWriter, framed by hyparquet-writer. */
export async function chunkFile(
  buffers: ColumnBuffer[],
  elements: SchemaElement[],
  codec: Codec = "UNCOMPRESSED",
  pageSize = 4096,
): Promise<Uint8Array> {
  const compressors = await loadCompressors(codec);
  const writer = new ByteWriter();
  const parquet = new ParquetWriter({
    writer,
    schema: [{ name: "root", num_children: elements.length }, ...elements],
    codec,
    compressors,
  });
  const pages = new ColumnChunkWriter(writer, { codec, compress: compressors[codec], pageSize });
  const rows = buffers[0].rows;
  const columns = buffers.map((buffer, i) => pages.write(buffer, elements[i], [elements[i].name]));
  parquet.row_groups.push({
    columns,
    total_byte_size: columns.reduce((sum, c) => sum + c.meta_data!.total_uncompressed_size, 0n),
    num_rows: BigInt(rows),
  });
  parquet.num_rows = BigInt(rows);
  parquet.finish();
  return writer.getBytes().slice();
}

export function putInt64(buffer: ColumnBuffer, value: bigint): void {
  const bytes = buffer.reserve(8);
  new DataView(bytes.buffer, bytes.byteOffset).setBigInt64(buffer.length, value, true);
  buffer.commit();
}

export function putInt32(buffer: ColumnBuffer, value: number): void {
  const bytes = buffer.reserve(4);
  new DataView(bytes.buffer, bytes.byteOffset).setInt32(buffer.length, value, true);
  buffer.commit();
}

/** A text value, through `addBytes` (copied from elsewhere) or `commitBytes` (written in place). */
export function putText(buffer: ColumnBuffer, value: string, inPlace: boolean): void {
  const bytes = utf8.encode(value);
  if (!inPlace) {
    // At an offset in a larger array, as the decoder passes COPY bytes.
    const source = new Uint8Array(bytes.length + 7);
    source.set(bytes, 5);
    return buffer.addBytes(source, 5, bytes.length);
  }
  buffer.reserve(4 + bytes.length).set(bytes, buffer.length + 4);
  buffer.commitBytes(bytes.length);
}

/** PostgreSQL's binary COPY bytes for rows of int4/text fields (null as null). */
export function copyBinary(
  rows: (number | string | null)[][],
  options: { trailer?: boolean } = {},
): Uint8Array {
  const out: number[] = [...utf8.encode("PGCOPY\n"), 0xff, 0x0d, 0x0a, 0x00, 0, 0, 0, 0, 0, 0, 0, 0];
  const int32 = (v: number) => out.push((v >>> 24) & 255, (v >>> 16) & 255, (v >>> 8) & 255, v & 255);
  for (const row of rows) {
    out.push((row.length >> 8) & 255, row.length & 255);
    for (const field of row) {
      if (field === null) int32(-1);
      else if (typeof field === "number") {
        int32(4);
        int32(field);
      } else {
        const bytes = utf8.encode(field);
        int32(bytes.length);
        out.push(...bytes);
      }
    }
  }
  if (options.trailer !== false) out.push(0xff, 0xff);
  return new Uint8Array(out);
}

export async function* chunksOf(bytes: Uint8Array, size: number): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

export const small = defineTable("small", { id: int(), name: text().nullable() });

/** Pipes a COPY stream's file into a LocalStorage sink; returns the error, and what the folder holds. */
export async function sinkCopy(
  copy: AsyncIterable<Uint8Array>,
  table: TableDefinition,
  options: CopyEncodeOptions = {},
): Promise<{ error: unknown; files: string[]; location: string }> {
  const dir = await tempDir();
  const sink = new LocalStorage().createSink(`${dir}/${table.name}.parquet`);
  let error: unknown;
  try {
    await copyBinaryToParquet(copy, table, options).stream.pipeTo(sink);
  } catch (caught) {
    error = caught;
  }
  return { error, files: await allFiles(dir), location: sink.location };
}

export const byId = (rows: Row[]) => rows.sort((a, b) => (a.id as number) - (b.id as number));

export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export const FLOAT_COLUMNS = COLUMNS.filter((c) => c.kind.compare === "float").map((c) => c.name);

/** A row without its float columns, which the row path cannot take (it refuses NaN). */
export function withoutFloats(row: Row): Row {
  const rest = { ...row };
  for (const name of FLOAT_COLUMNS) delete rest[name];
  return rest;
}

/**
 * The rows as the row path (validate, encode) writes and reads them back, float columns aside: the
 * row path refuses NaN, which PostgreSQL's float columns hold.
 */
export async function rowPathRows(table: TableDefinition): Promise<Row[]> {
  const columns = Object.fromEntries(
    Object.entries(table.columns).filter(([name]) => !FLOAT_COLUMNS.includes(name)),
  );
  const noFloats = defineTable("wide", columns);
  const rows = await sql.unsafe(`SELECT ${selectList(noFloats)} FROM ${SCHEMA}.wide ORDER BY id`);
  const { location } = await writeParquet(await tempDir(), rows, { table: noFloats, rowGroupSize: GROUP });
  return byId(await readParquet(location));
}

/** The float columns as PostgreSQL has them (float4 widened exactly), by id. */
export async function postgresFloats(): Promise<Row[]> {
  const list = FLOAT_COLUMNS.map((name) => `${name}::float8 AS ${name}`).join(", ");
  return await sql.unsafe(`SELECT id, ${list} FROM ${SCHEMA}.wide ORDER BY id`);
}

/** Asserts that hyparquet reads `bytes` as the row path reads its own file, and floats as PostgreSQL has them. */
export async function assertHyparquetReadsRowPath(
  bytes: Uint8Array,
  expected: Row[],
  floats: Row[],
  label: string,
) {
  const rows = byId(await readParquet(bytes));
  assert.deepEqual(rows.map(withoutFloats), expected, label);
  for (let i = 0; i < rows.length; i++) {
    for (const name of FLOAT_COLUMNS) {
      if (!Object.is(rows[i][name], floats[i][name])) {
        assert.fail(`${label}: ${name} at id ${rows[i].id}: ${rows[i][name]}, PostgreSQL ${floats[i][name]}`);
      }
    }
  }
}

export function chunkOf(metadata: Awaited<ReturnType<typeof readMetadata>>, group: number, column: string) {
  return metadata.row_groups[group].columns.find((c) => c.meta_data!.path_in_schema[0] === column)!
    .meta_data!;
}

/** The buffer's dictionary, unnarrowed by earlier assertions. */
export const dictionaryOf = (buffer: ColumnBuffer): ByteDictionary | undefined => buffer.dictionary;

export const TEXT: SchemaElement = {
  name: "t",
  type: "BYTE_ARRAY",
  converted_type: "UTF8",
  logical_type: { type: "STRING" },
  repetition_type: "OPTIONAL",
};
export const INT64: SchemaElement = { name: "v", type: "INT64", repetition_type: "REQUIRED" };
export const INT32: SchemaElement = { name: "i", type: "INT32", repetition_type: "REQUIRED" };

/** Reads a file of chunkFile's with hyparquet (readParquet) and DuckDB; both must give `expected`. */
export async function assertReadsBack(bytes: Uint8Array, column: string, expected: unknown[]): Promise<void> {
  const rows = await readParquet(bytes);
  assert.equal(rows.length, expected.length);
  const wrong = rows.findIndex((row, i) => row[column] !== expected[i]);
  assert.equal(wrong, -1, `hyparquet: row ${wrong}: ${rows[wrong]?.[column]}, expected ${expected[wrong]}`);
  const duck = await openDuckDb();
  try {
    const path = await writeFile(bytes);
    const cast = typeof expected.find((v) => v !== null) === "bigint" ? "CAST(%s AS VARCHAR)" : "%s";
    const back = await duck.rows(
      `SELECT ${cast.replace("%s", column)} AS v FROM read_parquet(${sqlString(path)}, file_row_number = true)
        ORDER BY file_row_number`,
    );
    const text = expected.map((v) => typeof v === "bigint" ? String(v) : v);
    const at = back.findIndex((row, i) => row.v !== text[i]);
    assert.equal(at, -1, `DuckDB: row ${at}: ${back[at]?.v}, expected ${text[at]}`);
  } finally {
    duck.close();
  }
}
