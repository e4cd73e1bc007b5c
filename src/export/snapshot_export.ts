/**
 * The export proper, inside one snapshot's transaction: the tables planned (named, or every user table
 * of a schema), each read (by binary COPY where its kinds allow, else through a cursor) and written as a
 * new immutable file (or a partitioned dataset) into a batch, with progress and watermarks. Used by a
 * one-snapshot run and by each worker of a parallel one.
 *
 * Why one file: every table of a snapshot takes the same steps (plan, choose the door, write, record
 * progress and watermark) with shared state (the batch, the transaction, the counters); the doors
 * themselves are `copy_table.ts`, `copy_partitioned.ts`, `rolling_*.ts` and `write_dataset.ts`.
 *
 * @module
 */
import type { ExportOptions, TableSummary } from "./export_options.ts";
import { BatchWriter } from "./batch_writer.ts";
import { latestWatermark } from "../read/committed.ts";
import type { Watermark } from "../read/manifest.ts";
import { ParquetStorageError, SinkError, SourceError } from "../errors.ts";
import { type AsTextColumn, type CatalogQuery, introspectTable, listTables } from "../postgres/introspect.ts";
import { withSpecialValues } from "../postgres/special_values.ts";
import { refuseUnpopulated, type SkippedRelation, skippedRelations } from "../postgres/relations.ts";
import type { Row, TableDefinition } from "../schema/table.ts";

import { safeName } from "../sinks/file_name.ts";
import type { ManifestTable } from "../read/manifest.ts";
import { writeDataset, type WriteDatasetOptions } from "./write_dataset.ts";
import { writeRolling } from "./rolling_files.ts";
import { writeTableByCopyRolling } from "./rolling_copy.ts";
import type { TableTarget } from "./iceberg/iceberg_export.ts";
import type postgres from "postgres";
import { copyBinarySupports } from "../postgres/copy_binary.ts";
import { type CopyTableOptions, writeTableByCopy } from "./copy_table.ts";
import { copyPartitionSupports, writePartitionedByCopy } from "./copy_partitioned.ts";
import { ProgressCounter } from "../streams/progress.ts";
import { canonicalRow } from "../postgres/canonical_row.ts";
import { lastRowQuery } from "../postgres/since_sql.ts";
import { LastTuple } from "../postgres/copy_last_tuple.ts";
import { type IdleGuard, withIdleTimeout } from "../postgres/idle_timeout.ts";
import { copyQueryStatement, describeQuery, querySql } from "../postgres/query_source.ts";
import { queryRows, type Since, sourceError, tableRows } from "../postgres/table_source.ts";

/** Progress is reported at most this often per table (the terminal line is redrawn as often). */
const PROGRESS_INTERVAL_MS = 250;

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
    let entry, tail: LastTuple | undefined;
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
          // The next watermark from the COPY's last tuple: no second read of the table.
          tail = since && new LastTuple(table, since);
          const copyOptions: CopyTableOptions = {
            ...copying,
            last: tail,
            ...(fromQuery === undefined ? {} : { statement: copyQueryStatement(table, fromQuery) }),
            schema: table.pgSchema,
          };
          entry = rolling === undefined
            ? await writeTableByCopy(tx, batch, table, copyOptions)
            : await writeTableByCopyRolling(tx, batch, table, { ...copyOptions, maxFileBytes: rolling });
        }
        if (since && entry.files.some((f) => f.rows > 0)) {
          last = tail?.row() ?? await lastRow(tx, table, since, guard);
        }
      } else {
        const read = { batchSize: options.batchSize, since, signal, ...guard };
        const rowsIn = fromQuery === undefined
          ? tableRows(tx, table, read)
          : queryRows(tx, table, tx.unsafe(fromQuery), read);
        // The tap only where its last row or count is wanted: a stream hop per row costs.
        const tapped = since !== undefined || partitionBy.length > 0 || Boolean(rolling);
        const rowsOut = tapped
          ? rowsIn.pipeThrough(
            lastRowTap((row) => last = row, partitionBy.length || rolling ? counter : undefined),
          )
          : rowsIn;
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

/**
 * The tables to export, introspected, checked before anything is written.
 *
 * @example
 * ```ts
 * import { type CatalogQuery, planTables } from "@parquet-storage/engine/postgres";
 * const empty: CatalogQuery = () => Promise.resolve([]); // a catalog that lists no table
 * const refused = await planTables(empty, { out: "./data" }).catch((error) => error);
 * console.assert(refused.message === "Schema public has no tables to export");
 * ```
 */
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
export function tableError(table: string, error: unknown): unknown {
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
  // No row, or only rows without a watermark (they sort first): where the run started stays the mark.
  if (!last || last[since.column] === null || last[since.column] === undefined) {
    return { column: since.column, value: since.value, key: since.key };
  }
  const key = Object.fromEntries(table.primaryKey.map((k) => [k, String(last[k])]));
  return {
    column: since.column,
    value: String(last[since.column]),
    key: table.primaryKey.length ? key : null,
  };
}
