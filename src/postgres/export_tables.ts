/**
 * An export run: every table read inside one `REPEATABLE READ, READ ONLY` transaction (one moment of the
 * database), each written as a new immutable file, and the whole committed as one batch with a manifest.
 *
 * @module
 */

import { BatchWriter } from "../export/batch_writer.ts";
import { latestWatermark } from "../export/committed.ts";
import type { Watermark } from "../export/manifest.ts";
import { ParquetStorageError, SinkError, SourceError } from "../errors.ts";
import { type AsTextColumn, type CatalogQuery, introspectTable, listTables } from "../schema/introspect.ts";
import { type SpecialValues, withSpecialValues } from "./special_values.ts";
import { refuseUnpopulated, type SkippedRelation, skippedRelations } from "../schema/relations.ts";
import type { Row, TableDefinition } from "../schema/table.ts";
import type { S3Options } from "../sinks/sink.ts";
import type { Codec } from "../parquet/codecs.ts";
import { safeName } from "../sinks/file_name.ts";
import type { ManifestTable } from "../export/manifest.ts";
import { writeDataset, type WriteDatasetOptions } from "../write_dataset.ts";
import { exportInParallel } from "../export/parallel_export.ts";
import { writeRolling } from "../export/rolling_files.ts";
import { writeTableByCopyRolling } from "../export/rolling_copy.ts";
import { IcebergTarget, type TableTarget } from "../export/iceberg/iceberg_export.ts";
import type { IcebergCommit } from "../export/iceberg/commit_snapshot.ts";
import type postgres from "postgres";
import { connectionLost, type Sql } from "./connect.ts";
import { copyBinarySupports } from "./copy_binary.ts";
import { type CopyTableOptions, writeTableByCopy } from "./copy_table.ts";
import { copyPartitionSupports, writePartitionedByCopy } from "./copy_partitioned.ts";
import { ProgressCounter } from "../streams/progress.ts";
import { canonicalRow } from "./canonical_row.ts";
import { lastRowQuery } from "./since_sql.ts";
import { checkedTimeout, type IdleGuard, withIdleTimeout } from "./idle_timeout.ts";
import { copyQueryStatement, describeQuery, type QuerySource, querySql } from "./query_source.ts";
import { queryRows, type Since, sourceError, tableRows } from "./table_source.ts";

/** Progress is reported at most this often per table (the terminal line is redrawn as often). */
const PROGRESS_INTERVAL_MS = 250;

/** Options of {@link exportTables}. */
export interface ExportOptions {
  /** The output root: a folder or `s3://bucket/prefix`. */
  out: string;
  /** Tables to export. Default: every table of `schema` (except those an extension owns, like PostGIS's). */
  tables?: string[];
  /** The PostgreSQL schema. Default `"public"`. */
  schema?: string;
  /**
   * Queries to export, each under its own name, in the same snapshot as the tables (exported whole; with
   * queries and no `tables`, no table is exported). Not with `jobs`.
   */
  queries?: QuerySource[];
  /** Export only rows changed since the last committed batch, where a table has a watermark column. */
  incremental?: boolean;
  /** Watermark column per table; others use `updated_at`. */
  watermarks?: Record<string, string>;
  /** Rows per row group. */
  rowGroupSize?: number;
  /** Compression codec. */
  codec?: Codec;
  /** Compression level, for a codec that has levels (see `EncodeOptions.compressionLevel`). */
  compressionLevel?: number;
  /**
   * Bytes at which a table's file is completed and the next begun, at a row-group boundary (a file may
   * pass it by less than a row group and its footer); every file is recorded in the batch. On both paths
   * (binary COPY and rows). Not with `jobs` or `partitionBy`. Default: one file per table.
   */
  maxFileSize?: number;
  /**
   * Hive partition keys (`"project_id"`, `"created_at:month"`) for every exported table that has the
   * columns; other tables are written as one file. Default: none.
   */
  partitionBy?: string[];
  /** Rows per cursor fetch. */
  batchSize?: number;
  /**
   * Validate rows against the table definition (Valibot), on the row path. Default `true`. A table
   * read through binary COPY (see `binaryCopy`) is validated by its column types instead: PostgreSQL
   * casts every column to the declared type, and NOT NULL is checked as the bytes are decoded.
   */
  validate?: boolean;
  /**
   * Read tables through `COPY … TO STDOUT (FORMAT binary)`, several times faster than the row path,
   * where every column's type allows it (all but arrays of unconstrained numerics); `false` reads every
   * table row by row. Default `true`.
   */
  binaryCopy?: boolean;
  /** Read types without a mapping as text instead of failing. */
  unmappedAsText?: boolean;
  /**
   * What to do with the values PostgreSQL has and Parquet's types do not (a numeric `NaN`, a date or
   * timestamp `infinity`): `"error"` fails naming table, row and column; `"null"` exports them as NULL;
   * `"text"` exports a column holding one as text. Default `"error"`.
   */
  specialValues?: SpecialValues;
  /**
   * Milliseconds to wait for PostgreSQL's next bytes (COPY data, a FETCH's rows, a catalog answer)
   * before the run fails, naming the table, and the client is ended: a stalled server or network path
   * would otherwise hang the export forever. Default 120,000 (`PG_IDLE_TIMEOUT_MS`). S3 has its own,
   * `s3.idleTimeout`.
   */
  idleTimeout?: number;
  /** S3 settings for an `s3://` output. */
  s3?: S3Options;
  /**
   * `"batch"` (default): Parquet files under `<out>/<table>/`, committed together by one manifest in
   * `<out>/_manifests/`. `"iceberg"`: each table an Apache Iceberg table (format version 2) at
   * `<out>/<table>/`, its files committed as one snapshot of it (`overwrite` for a full export, `append`
   * for an incremental one) in `<out>/<table>/metadata/`; no manifest is written. With `jobs`, every
   * table is committed once all workers are done.
   */
  format?: "batch" | "iceberg";
  /** Called as rows flow (at most every 250 ms per table) and when a table is done. */
  onProgress?: (progress: TableProgress) => void;
  /**
   * Workers, each on its own connection in the snapshot of one leader transaction (the client needs
   * `jobs + 1` connections). Tables are spread over them, largest first, and a table read whole through
   * binary COPY is split into ranges of heap blocks, one file each, when its row estimate is over
   * `shardRows` or there are more workers than tables. Default 1: one transaction, table after table.
   */
  jobs?: number;
  /** With `jobs`: a table estimated at more rows than this is split into block ranges. Default 1 000 000. */
  shardRows?: number;
  /**
   * Stops the run (Ctrl-C, say): the file being written is aborted (its temporary file removed, its
   * upload aborted), the files of tables already finished are removed, no batch is committed, and the
   * run rejects with the signal's reason.
   */
  signal?: AbortSignal;
}

/** How far a table has got. */
export interface TableProgress {
  /** Table name. */
  table: string;
  /** Rows written so far. */
  rows: number;
  /** Seconds since the table started. */
  seconds: number;
  /** Bytes written so far (while the table is written, as they reach the sink), all of them once done. */
  bytes?: number;
  /** True when the table's file is complete. */
  done: boolean;
}

/** One table of an export's summary. */
export interface TableSummary {
  /** Table name. */
  table: string;
  /** `full`, or `incremental` (only rows changed since the previous batch). */
  mode: "full" | "incremental";
  /** Rows written. */
  rows: number;
  /** Files written. */
  files: number;
  /** Bytes written. */
  bytes: number;
  /** Seconds taken. */
  seconds: number;
  /** Where the file went. */
  location: string;
  /** A remark for the user, e.g. why a table was exported whole in an incremental run. */
  note?: string;
}

/** What an export run did. */
export interface ExportSummary {
  /** The batch id (its manifest is `<out>/_manifests/<batch>.json`). */
  batch: string;
  /** The PostgreSQL snapshot every table was read in. */
  snapshot: string;
  /** The output root. */
  out: string;
  /** One entry per table, in export order. */
  tables: TableSummary[];
  /** Views, materialized views and foreign tables a whole-schema export left out, and why. */
  skipped?: SkippedRelation[];
  /** The columns `unmappedAsText` exported as text (their types have no mapping). */
  asText?: AsTextColumn[];
  /** With `format: "iceberg"`: the snapshot committed for each table (no batch manifest is written). */
  iceberg?: IcebergCommit[];
}

/**
 * Exports tables from PostgreSQL to Parquet, all read in one snapshot, committed as one batch. On failure
 * no manifest is written (files of tables already finished stay, complete and valid, for `vacuum`).
 *
 * @example
 * ```ts ignore
 * import { connectPostgres, exportTables } from "@parquet-storage/engine/postgres";
 * const sql = connectPostgres();
 * const summary = await exportTables(sql, { out: "./data", tables: ["borehole"] });
 * await sql.end();
 * ```
 */
export async function exportTables(sql: Sql, options: ExportOptions): Promise<ExportSummary> {
  const { format = "batch" } = options;
  if (format !== "batch" && format !== "iceberg") {
    throw new ParquetStorageError(
      `Cannot export as format must be "batch" or "iceberg": current value is ${JSON.stringify(format)}`,
    );
  }
  if (options.jobs !== undefined && options.jobs !== 1) {
    if (options.queries?.length || options.maxFileSize !== undefined) {
      throw new ParquetStorageError(
        `Cannot export queries or roll files over (maxFileSize) with jobs: current value is ${options.jobs}`,
      );
    }
    return await exportInParallel(sql, options);
  }
  const lost = connectionLost(sql);
  checkedTimeout(options.idleTimeout);
  // A silent server leaves its connection mid-query for good: the run fails with the stall's error,
  // and the client is ended, as nothing more can be asked of it.
  const stalled = new AbortController();
  const onStall = (error: SourceError) => {
    if (stalled.signal.aborted) return;
    stalled.abort(error);
    void sql.end({ timeout: 0 }).catch(() => {});
  };
  const stop = [stalled.signal, lost, options.signal].filter((s) => s !== undefined);
  const signal = AbortSignal.any(stop);
  let batch: BatchWriter | undefined;
  const first = new BatchWriter(options.out, { s3: options.s3 });
  const iceberg = format === "iceberg" ? new IcebergTarget(first) : undefined;
  let current: string | undefined;
  let work: Promise<Written> | undefined;
  let written: Written;
  try {
    written = await sql.begin("isolation level repeatable read read only", (tx) => {
      work = exportInSnapshot(
        tx,
        { ...options, onStall },
        signal,
        (table) => current = table,
        (b) => batch = b,
        first,
        iceberg,
      );
      // After a connection loss postgres.js would send ROLLBACK on the dropped socket and crash the
      // process: the transaction is gone anyway, so `begin` is left waiting (it has already rejected).
      return work.catch((error) => lost?.aborted ? new Promise<never>(() => {}) : Promise.reject(error));
    }) as Written;
  } catch (error) {
    // postgres.js rejects `begin` as soon as the connection closes, while the table being written is
    // still unwinding: wait for it, so its sink has removed its temporary file before anyone reports.
    const inner = await work?.then(() => undefined, (e: unknown) => e);
    if (options.signal?.aborted) await abandon(batch, options.signal);
    // Nothing names an Iceberg run's files before its commit, and vacuum leaves Iceberg tables alone.
    if (iceberg) await batch?.abandon().catch(() => {});
    const cause = stalled.signal.aborted ? stalled.signal.reason : inner ?? error;
    throw current ? tableError(current, cause) : cause;
  }
  // Committed only once the snapshot's transaction has ended cleanly.
  const { snapshot, tables, skipped, asText } = written;
  if (options.signal?.aborted) await abandon(written.batch, options.signal);
  if (iceberg) {
    const commits = await iceberg.commit(written.batch.tables);
    return {
      batch: written.batch.id,
      snapshot,
      out: written.batch.root,
      tables,
      skipped,
      ...(asText.length ? { asText } : {}),
      iceberg: commits,
    };
  }
  await written.batch.commit({ snapshot });
  return {
    batch: written.batch.id,
    snapshot,
    out: written.batch.root,
    tables,
    skipped,
    ...(asText.length ? { asText } : {}),
  };
}

/** A stopped run leaves nothing: the files of tables already finished go too. */
async function abandon(batch: BatchWriter | undefined, signal: AbortSignal): Promise<never> {
  await batch?.abandon();
  throw signal.reason;
}

/** What the transaction wrote, to be committed as a batch. */
export interface Written {
  batch: BatchWriter;
  snapshot: string;
  tables: TableSummary[];
  skipped: SkippedRelation[];
  asText: AsTextColumn[];
}

/**
 * The export proper, inside the snapshot's transaction; the files go into `batch` (a parallel export's
 * worker passes its own, to collect what it writes).
 */
export async function exportInSnapshot(
  tx: postgres.TransactionSql,
  options: ExportOptions & Pick<IdleGuard, "onStall">,
  signal: AbortSignal | undefined,
  starting: (table: string | undefined) => void,
  started: (batch: BatchWriter) => void,
  batch: BatchWriter = new BatchWriter(options.out, { s3: options.s3 }),
  target?: TableTarget,
): Promise<Written> {
  const { out, incremental = false, watermarks = {}, validate = true, binaryCopy = true } = options;
  const guard: IdleGuard = { idleTimeout: options.idleTimeout, onStall: options.onStall };
  const query: CatalogQuery = (text, params) => {
    signal?.throwIfAborted();
    return withIdleTimeout(tx.unsafe(text, params as never[]), guard, "reading the catalog");
  };
  const [{ snapshot }] = await withIdleTimeout(
    tx`SELECT pg_current_snapshot()::text AS snapshot`,
    guard,
    "starting the snapshot",
  );
  const asText: AsTextColumn[] = [];
  const definitions = await planTables(query, options, asText);
  const skipped = options.tables?.length || options.queries?.length
    ? []
    : await skippedRelations(query, options.schema ?? "public");
  const queries = new Map<TableDefinition, string>();
  for (const source of options.queries ?? []) {
    starting(source.name);
    if (
      definitions.some((t) => t.name === source.name) ||
      [...queries.keys()].some((t) => t.name === source.name)
    ) {
      throw new SourceError(
        `Cannot export query ${source.name}: a table or query of this export has that name`,
        {
          table: source.name,
        },
      );
    }
    if (options.specialValues === "text") {
      // "text" picks the columns to make text by scanning a table; a query is not scanned twice.
      throw new SourceError(
        `Cannot export query ${source.name} with specialValues "text": use "null" or "error"`,
        { table: source.name },
      );
    }
    const described = await describeQuery(tx, source, { ...guard, unmappedAsText: options.unmappedAsText });
    const table = await withSpecialValues(query, described, options.specialValues);
    queries.set(table, querySql(source));
    definitions.push(table);
  }
  started(batch);
  const summaries: TableSummary[] = [];
  for (const table of definitions) {
    starting(table.name);
    const column = watermarks[table.name] ?? "updated_at";
    const fromQuery = queries.get(table);
    const canFollow = incremental && fromQuery === undefined && column in table.columns;
    const recorded = canFollow
      ? await (target ? target.watermark(table) : latestWatermark(out, table.name, { s3: options.s3 }))
      : null;
    const since: Since | undefined = canFollow
      ? { column, ...(recorded ?? { value: null, key: null }) }
      : undefined;
    // One counter for the table, whichever door its rows take: rows as encoded, bytes as they leave.
    const counter = new ProgressCounter();
    const stopProgress = counter.every(PROGRESS_INTERVAL_MS, (c) =>
      options.onProgress?.({
        table: table.name,
        rows: c.rows,
        seconds: c.seconds,
        bytes: c.bytes,
        done: false,
      }));
    let last: Row | undefined;
    const mode = since?.value ? "incremental" : "full";
    const partitionBy = partitionKeysFor(table, options.partitionBy);
    const prepared = await target?.prepare(table, partitionBy);
    const encoding = {
      rowGroupSize: options.rowGroupSize,
      codec: options.codec,
      compressionLevel: options.compressionLevel,
      ...prepared?.encode,
    };
    // The partitioned COPY door writes hive files (partition columns in folder names only): a target
    // that keeps them in the files (Iceberg) takes the row door for partitioned tables.
    const byCopy = binaryCopy && copyBinarySupports(table) &&
      (!partitionBy.length || (!prepared?.keepPartitionColumns && copyPartitionSupports(table, partitionBy)));
    let entry;
    try {
      const rolling = options.maxFileSize;
      if (rolling !== undefined && partitionBy.length) {
        throw new ParquetStorageError(`Cannot roll files over (maxFileSize) in a partitioned table`, {
          table: table.name,
        });
      }
      if (byCopy) {
        // The table, its rows after the watermark, or a query, as PostgreSQL's COPY sends it: the same
        // snapshot, since it runs in `tx`.
        const copying = { ...encoding, mode, since, signal, ...guard, progress: counter } as const;
        if (partitionBy.length) {
          entry = await writePartitionedByCopy(tx, batch, table, { ...copying, partitionBy });
        } else {
          const copyOptions: CopyTableOptions = {
            ...copying,
            ...(fromQuery === undefined ? {} : { statement: copyQueryStatement(table, fromQuery) }),
            schema: table.pgSchema,
          };
          entry = rolling === undefined
            ? await writeTableByCopy(tx, batch, table, copyOptions)
            : await writeTableByCopyRolling(tx, batch, table, { ...copyOptions, maxFileBytes: rolling });
        }
        if (since && entry.files.some((f) => f.rows > 0)) last = await lastRow(tx, table, since, guard);
      } else {
        const read = { batchSize: options.batchSize, since, signal, ...guard };
        const rowsOut = (fromQuery === undefined
          ? tableRows(tx, table, read)
          : queryRows(tx, table, tx.unsafe(fromQuery), read))
          .pipeThrough(lastRowTap((row) =>
            last = row, partitionBy.length || rolling ? counter : undefined));
        entry = partitionBy.length
          ? await writePartitioned(
            batch,
            table,
            rowsOut,
            {
              ...encoding,
              validate,
              partitionBy,
              s3: options.s3,
              signal,
              keepPartitionColumns: prepared?.keepPartitionColumns,
            },
            mode,
          )
          : rolling !== undefined
          ? await writeRolling(batch, table, rowsOut, {
            ...encoding,
            maxFileBytes: rolling,
            mode,
            validate,
            signal,
            progress: counter,
          })
          : await batch.writeTable(table, rowsOut, {
            mode,
            ...encoding,
            validate,
            signal,
            progress: counter,
          });
      }
    } catch (error) {
      throw tableError(table.name, error);
    } finally {
      stopProgress();
    }
    if (since) entry.watermark = watermarkOf(table, since, last);
    const rows = entry.files.reduce((sum, f) => sum + f.rows, 0);
    const bytes = entry.files.reduce((sum, f) => sum + f.bytes, 0);
    const seconds = counter.seconds;
    options.onProgress?.({ table: table.name, rows, seconds, bytes, done: true });
    summaries.push({
      table: table.name,
      mode,
      rows,
      files: entry.files.length,
      bytes,
      seconds,
      location: partitionBy.length || entry.files.length > 1
        ? `${batch.root}/${safeName(table.name)}`
        : `${batch.root}/${entry.files[0].path}`,
      ...(incremental && !canFollow ? { note: `no ${column} column: exported whole` } : {}),
      ...(since && !since.value ? { note: "first incremental run: exported whole" } : {}),
    });
  }
  starting(undefined);
  return { batch, snapshot, tables: summaries, skipped, asText };
}

/** The last row an incremental read of `since` gives, read in the same snapshot (for its watermark). */
async function lastRow(
  tx: postgres.TransactionSql,
  table: TableDefinition,
  since: Since,
  guard: IdleGuard,
): Promise<Row | undefined> {
  const [row] = await withIdleTimeout(
    tx.unsafe(lastRowQuery(table, table.pgSchema, since)),
    guard,
    "reading the watermark",
  );
  return row ? canonicalRow(table)(row, 1) : undefined;
}

/** Keeps the last row that passed (for the watermark), and counts rows where no encoder does. */
function lastRowTap(seen: (row: Row) => void, counter?: ProgressCounter): TransformStream<Row, Row> {
  return new TransformStream<Row, Row>({
    transform(row, controller) {
      if (counter) counter.rows++;
      seen(row);
      controller.enqueue(row);
    },
  });
}

/** The partition keys that apply to `table`: those whose column it has. */
function partitionKeysFor(table: TableDefinition, keys: string[] | undefined): string[] {
  return (keys ?? []).filter((key) => key.split(":")[0] in table.columns);
}

/** Writes a table as a hive-partitioned dataset under `<root>/<table>/` and records its files. */
async function writePartitioned(
  batch: BatchWriter,
  table: TableDefinition,
  rows: ReadableStream<Row>,
  options: Omit<WriteDatasetOptions, "table">,
  mode: "full" | "incremental",
): Promise<ManifestTable> {
  const storage = await batch.storage();
  const { files } = await writeDataset(storage.join(batch.root, safeName(table.name)), rows, {
    ...options,
    table,
    checksum: true,
  });
  return batch.record(
    table,
    files.map((f) => ({ path: batch.relative(f.location), rows: f.rows, bytes: f.bytes, sha256: f.sha256! })),
    { mode },
  );
}

/** The tables to export, introspected, checked before anything is written. */
export async function planTables(
  query: CatalogQuery,
  options: ExportOptions,
  asText?: AsTextColumn[],
): Promise<TableDefinition[]> {
  const { schema = "public" } = options;
  if (!options.tables?.length && options.queries?.length) return [];
  const names = options.tables?.length ? options.tables : await userTables(query, schema);
  if (!names.length) throw new SourceError(`Schema ${schema} has no tables to export`);
  if (options.tables?.length) await refuseUnpopulated(query, schema, names);
  const definitions: TableDefinition[] = [];
  for (const name of names) {
    try {
      const table = await introspectTable(query, name, {
        schema,
        unmappedAsText: options.unmappedAsText,
        asText,
      });
      definitions.push(await withSpecialValues(query, table, options.specialValues));
    } catch (error) {
      if ((error as { table?: string }).table) throw error;
      throw sourceError(name, error);
    }
  }
  return definitions;
}

/** The error of one table's export, naming the table (a full disk, a lost connection, …). */
function tableError(table: string, error: unknown): unknown {
  if ((error as ParquetStorageError).table) return error;
  if (error instanceof SinkError) return new SinkError(error.message, { table, cause: error });
  if (error instanceof ParquetStorageError) {
    return new ParquetStorageError(error.message, { table, cause: error });
  }
  return sourceError(table, error);
}

// Tables an extension owns (PostGIS's spatial_ref_sys in public) are its catalog, not the user's data.
const EXTENSION_TABLES_SQL = `
SELECT c.relname AS name FROM pg_depend d
  JOIN pg_class c ON c.oid = d.objid AND d.classid = 'pg_class'::regclass
  JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE d.deptype = 'e' AND n.nspname = $1`;

/** The schema's tables, less those an extension owns (they can still be named with `tables`). */
async function userTables(query: CatalogQuery, schema: string): Promise<string[]> {
  const owned = new Set((await query(EXTENSION_TABLES_SQL, [schema])).map((row) => String(row.name)));
  return (await listTables(query, schema)).filter((name) => !owned.has(name));
}

function watermarkOf(table: TableDefinition, since: Since, last: Row | undefined): Watermark {
  if (!last) return { column: since.column, value: since.value, key: since.key };
  const key = Object.fromEntries(table.primaryKey.map((k) => [k, String(last[k])]));
  return {
    column: since.column,
    value: String(last[since.column]),
    key: table.primaryKey.length ? key : null,
  };
}
