/**
 * `deno task seed`: creates the platform's 29 tables (and PostGIS) where missing and fills them with
 * deterministic, referentially consistent sample data (`platform/seed/`). Also a library:
 * {@link createPlatformTables} and {@link seedDatabase}, for tests and benchmarks.
 *
 * Exit codes: 0 done, 1 failure, 2 bad usage.
 *
 * @module
 */

import postgres from "postgres";
import { getSchema, listSchemas } from "../../platform/registry.ts";
import { type GenerateOptions, platformRows } from "../../platform/seed/generate.ts";
import { ParquetStorageError } from "../errors.ts";
import { qualifiedName as qualified, quoteIdent } from "../postgres/read_sql.ts";
import type { Row } from "../schema/table.ts";
import { type Command, DATABASE_FLAG, databaseUrl, runCommand, UsageError } from "./command.ts";

/** Options of {@link seedDatabase}. */
export interface SeedOptions extends GenerateOptions {
  /** The PostgreSQL schema to fill (created if missing). Default `"public"`. */
  schema?: string;
  /** Empty the 29 tables first (TRUNCATE … RESTART IDENTITY). Without it, tables holding rows are an error. */
  reset?: boolean;
  /** Rows per INSERT statement. Default 1000. */
  batchRows?: number;
  /**
   * Store locations as PostGIS `geography(Point,4326)` (default `true`), or, where PostGIS is not to be
   * had (the embedded PGlite database), as PostgreSQL's native `point` (x = longitude, y = latitude).
   */
  postgis?: boolean;
}

/** What {@link seedDatabase} wrote. */
export interface SeedResult {
  /** The PostgreSQL schema filled. */
  schema: string;
  /** Rows inserted, by table, in insertion order. */
  counts: Record<string, number>;
}

type Sql = postgres.Sql;
type Tx = postgres.TransactionSql;

/**
 * Creates PostGIS (if missing), the schema (if missing) and the 29 tables with their enums (those
 * missing), from `platform/ddl.sql`.
 *
 * @example
 * ```ts ignore
 * import postgres from "postgres";
 * import { createPlatformTables } from "./seed.ts";
 * await createPlatformTables(postgres("postgres://postgres@127.0.0.1:5432/test"), "platform");
 * ```
 */
export async function createPlatformTables(sql: Sql, schema = "public", postgis = true): Promise<void> {
  let ddl = await Deno.readTextFile(new URL("../../platform/ddl.sql", import.meta.url));
  if (postgis) await createPostgis(sql);
  else ddl = ddl.replaceAll(/geography\(Point,\s*4326\)/gi, "point");
  await sql`CREATE SCHEMA IF NOT EXISTS ${sql(schema)}`;
  await sql.begin(async (tx) => {
    await setSearchPath(tx, schema, postgis);
    await tx.unsafe(ddl);
  });
}

/**
 * Fills the 29 tables of `schema` with sample data, in one transaction, creating what is missing first.
 * The same `rows` and `seed` give the same data.
 *
 * @example
 * ```ts ignore
 * import postgres from "postgres";
 * import { seedDatabase } from "./seed.ts";
 * const sql = postgres("postgres://postgres@127.0.0.1:5432/test");
 * const { counts } = await seedDatabase(sql, { rows: 20, schema: "platform", seed: 1 });
 * console.log(counts.stratum_layers);
 * ```
 */
export async function seedDatabase(sql: Sql, options: SeedOptions = {}): Promise<SeedResult> {
  const { schema = "public", reset = false, batchRows = 1000, postgis = true } = options;
  if (!Number.isSafeInteger(batchRows) || batchRows < 1) {
    throw new ParquetStorageError(
      `Cannot seed as batchRows must be a positive integer: current value is ${batchRows}`,
    );
  }
  // Fail on bad options before touching the database.
  const rows = platformRows(options);
  await createPlatformTables(sql, schema, postgis);
  const counts: Record<string, number> = {};
  await sql.begin(async (tx) => {
    await setSearchPath(tx, schema, postgis);
    const tables = listSchemas().map((t) => t.name);
    if (reset) {
      await tx.unsafe(
        `TRUNCATE ${tables.map((t) => qualified(schema, t)).join(", ")} RESTART IDENTITY CASCADE`,
      );
    } else {
      const filled = await tx.unsafe(
        tables.map((t) => `SELECT ${literal(t)} AS name FROM ${qualified(schema, t)} HAVING count(*) > 0`)
          .join(" UNION ALL "),
      );
      if (filled.length) {
        throw new ParquetStorageError(
          `Cannot seed schema ${schema}: tables already hold rows (${
            filled.map((r) => r.name).join(", ")
          }); pass reset (--reset) to empty them first`,
        );
      }
    }
    const generated = new Map<string, Set<string>>();
    let batch: Row[] = [];
    let table = "";
    for (const { table: name, row } of rows) {
      if (name !== table || batch.length >= batchRows) {
        if (batch.length) await insert(tx, schema, table, batch, generated, postgis);
        batch = [];
        table = name;
      }
      batch.push(row);
      counts[name] = (counts[name] ?? 0) + 1;
    }
    if (batch.length) await insert(tx, schema, table, batch, generated, postgis);
    // Identities were given explicitly (so the data does not depend on sequence state): move them on.
    for (const name of tables) await advanceIdentities(tx, schema, name);
  });
  return { schema, counts };
}

async function insert(
  tx: Tx,
  schema: string,
  table: string,
  rows: Row[],
  generated: Map<string, Set<string>>,
  postgis: boolean,
): Promise<void> {
  const definition = getSchema(table);
  if (!generated.has(table)) {
    // Generated columns (stratum_layers.thickness_m) are computed by PostgreSQL, not inserted.
    const found = await tx.unsafe(
      `SELECT attname FROM pg_attribute WHERE attrelid = $1::regclass AND attgenerated <> '' AND NOT attisdropped`,
      [qualified(schema, table)],
    );
    generated.set(table, new Set(found.map((r) => r.attname as string)));
  }
  const skip = generated.get(table)!;
  const columns = Object.keys(definition.columns).filter((c) => !skip.has(c));
  const points = columns.filter((c) => definition.columns[c].spec.kind === "point");
  const list = columns.map(quoteIdent).join(", ");
  // One JSON parameter per batch: PostgreSQL's own input functions parse every value, so timestamps keep
  // their microseconds and numerics their digits (postgres.js would pass timestamps through Date).
  const json = JSON.stringify(
    rows.map((row) => {
      const out: Record<string, unknown> = {};
      for (const c of columns) out[c] = row[c];
      for (const c of points) {
        const point = row[c] as { latitude: number; longitude: number } | null;
        out[c] = postgis ? ewkt(point) : point && `(${point.longitude},${point.latitude})`;
      }
      return out;
    }),
    (_, value) => typeof value === "bigint" ? value.toString() : value,
  );
  await tx.unsafe(
    `INSERT INTO ${qualified(schema, table)} (${list}) OVERRIDING SYSTEM VALUE
     SELECT ${list} FROM jsonb_populate_recordset(NULL::${qualified(schema, table)}, $1::text::jsonb)`,
    [json],
  );
}

async function advanceIdentities(tx: Tx, schema: string, table: string): Promise<void> {
  const identities = await tx.unsafe(
    `SELECT attname FROM pg_attribute WHERE attrelid = $1::regclass AND attidentity <> '' AND NOT attisdropped`,
    [qualified(schema, table)],
  );
  for (const { attname } of identities) {
    const column = quoteIdent(attname as string);
    await tx.unsafe(
      `SELECT setval(pg_get_serial_sequence($1, $2), coalesce(max(${column}), 0) + 1, false)
         FROM ${qualified(schema, table)}`,
      [qualified(schema, table), attname],
    );
  }
}

function ewkt(point: { latitude: number; longitude: number } | null): string | null {
  return point === null ? null : `SRID=4326;POINT(${point.longitude} ${point.latitude})`;
}

async function createPostgis(sql: Sql): Promise<void> {
  try {
    await sql`CREATE EXTENSION IF NOT EXISTS postgis`;
  } catch (error) {
    // A concurrent creator may have won the race; only a still-missing extension is a failure.
    const [{ present }] =
      await sql`SELECT count(*) > 0 AS present FROM pg_extension WHERE extname = 'postgis'`;
    if (!present) throw error;
  }
}

async function setSearchPath(tx: Tx, schema: string, postgis = true): Promise<void> {
  if (!postgis) return void await tx.unsafe(`SET LOCAL search_path TO ${quoteIdent(schema)}`);
  const [{ nspname }] =
    await tx`SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
                                  WHERE e.extname = 'postgis'`;
  await tx.unsafe(`SET LOCAL search_path TO ${quoteIdent(schema)}, ${quoteIdent(nspname)}`);
}

function literal(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

/** The command and its flags, from which the parser and the help are made. */
export const SEED_COMMAND: Command = {
  name: "seed",
  description:
    `Creates PostGIS, the schema and the platform's 29 tables where missing (platform/ddl.sql), then
fills them with deterministic sample data: --rows per main table (customers, projects, boreholes, lab
reports, …; child tables get several per parent), the same for the same --seed. Tables that already hold
rows are an error unless --reset empties them first.`,
  flags: [
    { name: "rows", type: "string", value: "N", default: "20", help: "rows per main table" },
    { name: "seed", type: "string", value: "N", default: "1", help: "the random seed" },
    DATABASE_FLAG,
    { name: "schema", type: "string", value: "NAME", default: "public", help: "PostgreSQL schema" },
    { name: "reset", type: "boolean", help: "empty the 29 tables first" },
  ],
  epilogue: "Exit codes: 0 done, 1 failure, 2 bad usage.",
};

/** Runs the command; returns the exit code. */
export function main(args: string[]): Promise<number> {
  return runCommand(SEED_COMMAND, args, (flags) => seed(flags as unknown as SeedFlags));
}

interface SeedFlags {
  rows: string;
  seed: string;
  db?: string;
  schema: string;
  reset: boolean;
}

async function seed(values: SeedFlags): Promise<number> {
  const rows = Number(values.rows), seed = Number(values.seed);
  if (!/^\d+$/.test(values.rows) || !(rows >= 1) || !Number.isSafeInteger(rows)) {
    throw new UsageError(`--rows must be a positive integer: current value is ${values.rows}`);
  }
  if (!/^-?\d+$/.test(values.seed) || !Number.isSafeInteger(seed)) {
    throw new UsageError(`--seed must be an integer: current value is ${values.seed}`);
  }
  const url = databaseUrl(values.db);
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    const started = performance.now();
    const { counts } = await seedDatabase(sql, { rows, seed, schema: values.schema, reset: values.reset });
    for (const [table, count] of Object.entries(counts)) console.log(`${table}\t${count}`);
    const total = Object.values(counts).reduce((a, b) => a + b, 0);
    console.error(
      `seeded ${total} rows into ${Object.keys(counts).length} tables of schema ${values.schema} in ${
        ((performance.now() - started) / 1000).toFixed(1)
      } s`,
    );
    return 0;
  } catch (error) {
    console.error(`seed: ${(error as Error).message}`);
    return 1;
  } finally {
    await sql.end({ timeout: 5 });
  }
}

if (import.meta.main) Deno.exit(await main(Deno.args));
