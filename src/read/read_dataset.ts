// This module is browser compatible.

/**
 * Reading a hive-partitioned dataset: its files found below a folder or S3 prefix, whole partitions
 * skipped when the filter rules their values out, row groups skipped by statistics inside the files that
 * are read, and the partition columns put back into the rows with their types.
 *
 * Why one file: describing a dataset (its table, keys and output columns) and reading its files share one
 * pruning plan; finding files is `discover.ts`, partition pruning `partition_filter.ts`.
 *
 * @module
 */

import { type AsyncBuffer, cachedAsyncBuffer } from "hyparquet";
import { ReadError } from "../errors.ts";
import { text } from "../schema/columns.ts";
import { pointColumnNames } from "../schema/parquet_schema.ts";
import { type Columns, defineTable, type Row, type TableDefinition, tableFromSpec } from "../schema/table.ts";
import { type OpenOptions, storageFor } from "../storage/open_location.ts";
import type { Storage } from "../storage/storage.ts";
import {
  DATASET_METADATA_KEY,
  type DatasetSpec,
  parsePartitionBy,
  type PartitionKey,
  partitionValue,
} from "../schema/partition_key.ts";
import { committedFiles } from "./committed.ts";
import { datasetEntries, type DatasetEntry, discoverFiles } from "./discover.ts";
import type { Filter } from "./filters.ts";
import { partitionPruner, type PartitionVerdict } from "./partition_filter.ts";
import { readMetadata, readParquet, readParquetStream, tableOfMetadata } from "./read_parquet.ts";
import { topLevelColumns } from "./top_level.ts";

/** Options of {@link readDataset}. */
export interface ReadDatasetOptions extends OpenOptions {
  /** Columns to return, partition columns included (a time key such as `created_at_month` too). Default: the table's. */
  columns?: string[];
  /**
   * Rows to keep (see {@link Filter}). Conditions on partition columns skip whole partitions without
   * opening their files; the rest prunes row groups by statistics, then rows.
   */
  filters?: Filter;
  /**
   * The whole table (partition columns included). Default: the one the first file records. Give it to
   * read files that record none, or to open no file before pruning.
   */
  table?: TableDefinition;
  /** The partition keys, as written. Default: those the files record, else the folder keys of the first file. */
  partitionBy?: readonly string[];
  /** The storage to read through, instead of the one `storageFor(location)` picks. */
  storage?: Storage;
  /**
   * Read as of a committed batch: `"latest"` or a batch id. Only files the batch manifests name are
   * read (a crashed export's files are ignored); the manifests are in `<parent of location>/_manifests/`,
   * as `deno task export` writes them, and `location`'s last segment is the table. Default: every file.
   */
  batch?: string;
  /**
   * Read exactly these files below `location` (as a table format's manifests list them), in this order,
   * instead of listing the folder. Default: every Parquet file found below it.
   */
  files?: readonly string[];
  /** Called for every data file found: `skipped` when its partition was pruned (the file was not read). */
  onFile?: (info: { location: string; partition: Row; skipped: boolean }) => void;
  /** Called for every row group of every file read, `skipped` when its statistics ruled it out. */
  onRowGroup?: (info: { location: string; index: number; rows: number; skipped: boolean }) => void;
}

interface Dataset {
  table: TableDefinition;
  keys: PartitionKey[];
  /** The columns of a row, in order. */
  output: string[];
  prune: (partition: Row) => PartitionVerdict;
}

/**
 * Reads every row of a partitioned dataset (see `writeDataset`) below a folder or `s3://` prefix,
 * files in location order. The same code serves local folders and S3.
 *
 * The table and partition keys come from the first file's key-value metadata (or `table`), so that file
 * is opened even when pruned; with `table` and `partitionBy` given, pruned files are never opened. Files
 * from other writers read too: their partition values are text unless `table` says otherwise.
 *
 * @example
 * ```ts
 * import { date, defineTable, int, readDataset, writeDataset } from "@parquet-storage/engine";
 * const table = defineTable("readings", { site: int(), day: date(), value: int() });
 * const dir = await Deno.makeTempDir();
 * await writeDataset(dir, [
 *   { site: 1, day: "2026-11-01", value: 10 },
 *   { site: 1, day: "2026-12-01", value: 20 },
 * ], { table, partitionBy: ["site", "day:month"] });
 * let read = 0;
 * const rows = await readDataset(dir, {
 *   filters: { day: { $gte: "2026-12-01" } },
 *   onFile: ({ skipped }) => read += skipped ? 0 : 1,
 * });
 * console.assert(rows.length === 1 && rows[0].value === 20 && read === 1);
 * ```
 */
export async function readDataset(location: string, options: ReadDatasetOptions = {}): Promise<Row[]> {
  return await Array.fromAsync(readDatasetStream(location, options));
}

/**
 * Reads a partitioned dataset as a stream of rows, one row group in memory at a time.
 *
 * @example
 * ```ts
 * import { defineTable, int, text, writeDataset } from "@parquet-storage/engine";
 * import { readDatasetStream } from "@parquet-storage/engine/read";
 * const table = defineTable("t", { kind: text(), id: int() });
 * const dir = await Deno.makeTempDir();
 * await writeDataset(dir, [{ kind: "a", id: 1 }, { kind: "b", id: 2 }], { table, partitionBy: ["kind"] });
 * const rows = await Array.fromAsync(readDatasetStream(dir, { filters: { kind: "b" } }));
 * console.assert(rows.length === 1 && rows[0].id === 2);
 * ```
 */
export function readDatasetStream(location: string, options: ReadDatasetOptions = {}): ReadableStream<Row> {
  return ReadableStream.from(datasetRows(location, options));
}

/** With `batch`, keeps only the files that the committed batches name for this table. */
async function committedOnly(
  entries: DatasetEntry[],
  location: string,
  options: ReadDatasetOptions,
): Promise<DatasetEntry[]> {
  if (options.batch === undefined) return entries;
  const trimmed = location.replace(/\/+$/, "");
  const cut = trimmed.lastIndexOf("/");
  const root = cut > 0 ? trimmed.slice(0, cut) : ".";
  const table = trimmed.slice(cut + 1);
  const { files } = await committedFiles(root, table, { batch: options.batch, s3: options.s3 });
  // Compare by the path below the root: listings may spell the root differently ("./data" vs "data").
  const named = files.map((f) => `/${f.path}`);
  return entries.filter((entry) =>
    named.some((path) => `/${entry.location.replaceAll("\\", "/")}`.endsWith(path))
  );
}

/** Files opened ahead of the one being read, so that a store's latency overlaps the decoding. */
const READ_AHEAD = 4;
/** Files smaller than this are fetched whole in one request (hyparquet's first footer fetch is as big). */
const SMALL_FILE = 512 * 1024;

async function* datasetRows(location: string, options: ReadDatasetOptions): AsyncGenerator<Row> {
  const storage = options.storage ?? await storageFor(location, options);
  const entries = options.files
    ? datasetEntries(storage, location, options.files)
    : await committedOnly(await discoverFiles(storage, location), location, options);
  if (!entries.length) return;
  const openFile = async (entry: DatasetEntry): Promise<AsyncBuffer> => {
    const file = await storage.open(entry.location);
    return file.byteLength < SMALL_FILE ? cachedAsyncBuffer(file, { minSize: SMALL_FILE }) : file;
  };
  let probe: Promise<AsyncBuffer> | undefined;
  let dataset: Dataset;
  if (options.table && options.partitionBy) dataset = describe(options.table, options, entries[0]);
  else {
    probe = openFile(entries[0]);
    dataset = await datasetOf(await probe, entries[0], options);
  }
  const toRead: { entry: DatasetEntry; partition: Row; filters?: Filter }[] = [];
  for (const entry of entries) {
    const partition = partitionOf(dataset, entry);
    const verdict = dataset.prune(partition);
    options.onFile?.({ location: entry.location, partition, skipped: verdict === false });
    if (verdict !== false) toRead.push({ entry, partition, filters: verdict === true ? undefined : verdict });
  }
  const opening = new Map<number, Promise<AsyncBuffer>>();
  const output = options.columns ?? dataset.output;
  const fileColumns = columnsInFile(dataset, options.columns);
  for (const [index, { entry, partition, filters }] of toRead.entries()) {
    for (let ahead = index; ahead < Math.min(index + READ_AHEAD, toRead.length); ahead++) {
      if (opening.has(ahead)) continue;
      const next = toRead[ahead].entry;
      const pending = probe && next === entries[0] ? probe : openFile(next);
      pending.catch(() => {}); // awaited in turn; this only keeps an early failure from going unhandled
      opening.set(ahead, pending);
    }
    const file = await opening.get(index)!;
    opening.delete(index);
    const readOptions = {
      columns: fileColumns,
      filters,
      onRowGroup: options.onRowGroup &&
        ((group: { index: number; rows: number; skipped: boolean }) =>
          options.onRowGroup!({ location: entry.location, ...group })),
    };
    // readParquetStream stalls when a row group's rows are all filtered out (its pull enqueues nothing
    // and is not called again), so a filtered file is read whole: its matching rows only.
    const rows = filters ? await readParquet(file, readOptions) : readParquetStream(file, readOptions);
    for await (const row of rows) {
      const out: Row = {};
      for (const name of output) out[name] = name in partition ? partition[name] : row[name];
      yield out;
    }
  }
}

/** The dataset's table and keys: from the options, else from the first file's metadata. */
async function datasetOf(
  file: AsyncBuffer,
  entry: DatasetEntry,
  options: ReadDatasetOptions,
): Promise<Dataset> {
  const metadata = await readMetadata(file);
  const value = metadata.key_value_metadata?.find((kv) => kv.key === DATASET_METADATA_KEY)?.value;
  const recorded = value ? JSON.parse(value) as DatasetSpec : undefined;
  const partitionBy = options.partitionBy ?? recorded?.partitionBy;
  if (options.table) return describe(options.table, { ...options, partitionBy }, entry);
  if (recorded) return describe(tableFromSpec(recorded.table), { ...options, partitionBy }, entry);
  // A file from another writer: its own columns, and the folder keys as text.
  const fileTable = tableOfMetadata(metadata);
  const leaves = topLevelColumns(metadata.schema).map((e) => e.name);
  const columns: Columns = { ...fileTable?.columns };
  for (const key of Object.keys(entry.partition)) columns[key] ??= text().nullable();
  const table = defineTable(fileTable?.name ?? "dataset", columns);
  if (fileTable) return describe(table, options, entry);
  // No table recorded: every folder key is a text column, and filters on the file's columns are
  // checked by readParquet, not here.
  const keys: PartitionKey[] = (options.partitionBy ?? Object.keys(entry.partition)).map((name) => ({
    name,
    column: name,
    spec: table.columns[name]?.spec ?? { kind: "text", nullable: true },
  }));
  return {
    table,
    keys,
    output: [...leaves, ...keys.map((k) => k.name).filter((name) => !leaves.includes(name))],
    prune: options.filters === undefined ? () => true : partitionPruner(options.filters, table, keys, leaves),
  };
}

function describe(table: TableDefinition, options: ReadDatasetOptions, entry: DatasetEntry): Dataset {
  // A folder of plain files (as an export writes) is a dataset without partitions.
  const names = options.partitionBy ?? inferKeys(table, entry);
  const keys = names.length ? parsePartitionBy(table, names) : [];
  for (const name of options.columns ?? []) {
    if (!(name in table.columns) && !keys.some((k) => k.name === name)) {
      throw new ReadError(
        `Unknown column ${JSON.stringify(name)}: the dataset has ${Object.keys(table.columns).join(", ")}`,
        { column: name },
      );
    }
  }
  const prune = options.filters === undefined
    ? () => true
    : partitionPruner(options.filters, table, keys, pointLeaves(table));
  return { table, keys, output: Object.keys(table.columns), prune };
}

/** Keys from folder names: a column, or `<column>_<granularity>` of a date or timestamp column. */
function inferKeys(table: TableDefinition, entry: DatasetEntry): string[] {
  return Object.keys(entry.partition).map((key) => {
    if (key in table.columns) return key;
    const time = /^(.+)_(year|month|day|hour)$/.exec(key);
    if (time && time[1] in table.columns) return `${time[1]}:${time[2]}`;
    throw new ReadError(`The folder key ${JSON.stringify(key)} is not a column of ${table.name}`, {
      table: table.name,
      column: key,
    });
  });
}

function partitionOf(dataset: Dataset, entry: DatasetEntry): Row {
  const found = Object.keys(entry.partition);
  const expected = dataset.keys.map((k) => k.name);
  if (found.length !== expected.length || expected.some((name) => !(name in entry.partition))) {
    throw new ReadError(
      `Cannot read ${entry.location}: its folders hold the partition keys (${
        found.join(", ")
      }) but the dataset is partitioned by (${expected.join(", ")})`,
    );
  }
  const partition: Row = {};
  for (const key of dataset.keys) {
    const text = entry.partition[key.name];
    try {
      partition[key.name] = key.granularity
        ? text
        : partitionValue(key, text, dataset.table.columns[key.column].schema);
    } catch (cause) {
      throw new ReadError(`Cannot read the partition of ${entry.location}: ${(cause as Error).message}`, {
        column: key.column,
        cause,
      });
    }
  }
  return partition;
}

/** The columns to ask each file for, or `undefined` for all. */
function columnsInFile(dataset: Dataset, requested: string[] | undefined): string[] | undefined {
  if (requested === undefined) return undefined;
  const moved = new Set(dataset.keys.filter((k) => !k.granularity).map((k) => k.column));
  const timeKeys = new Set(dataset.keys.filter((k) => k.granularity).map((k) => k.name));
  const inFile = requested.filter((name) => !moved.has(name) && !timeKeys.has(name));
  if (inFile.length) return inFile;
  // Only partition columns asked for: read the smallest thing that still counts the rows.
  const first = Object.keys(dataset.table.columns).find((name) => !moved.has(name));
  return first && dataset.output.includes(first) ? [first] : undefined;
}

function pointLeaves(table: TableDefinition): string[] {
  return Object.entries(table.columns)
    .filter(([, column]) => column.spec.kind === "point")
    .flatMap(([name]) => pointColumnNames(table, name));
}
