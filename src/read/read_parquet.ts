// This module is browser compatible.

/**
 * Reading a Parquet file back: column selection, filters pruned by row-group statistics before any row is
 * decoded, and values as rows carried them when written.
 *
 * Why one file: planning a read (columns, readers, statistics) and running it share one plan; value
 * decoding is `column_values.ts`, page and footer checks `verify_pages.ts`.
 *
 * @module
 */

import {
  type AsyncBuffer,
  type FileMetaData,
  parquetMetadataAsync,
  parquetReadObjects,
  type SchemaElement,
} from "hyparquet";
import { ParquetStorageError, ReadError } from "../errors.ts";
import { columnFromSpec } from "../schema/columns.ts";
import { parquetLayout, pointColumnNames } from "../schema/parquet_schema.ts";
import {
  type Row,
  TABLE_METADATA_KEY,
  type TableDefinition,
  tableFromSpec,
  type TableSpec,
} from "../schema/table.ts";
import * as v from "valibot";
import { openLocation, type OpenOptions } from "../storage/open_location.ts";
import { DECOMPRESSORS } from "./decompressors.ts";
import { type ColumnReader, columnReader, RAW_PARSERS } from "./column_values.ts";
import { checkFooter, checkFooterLength, verifiedRowGroup, type Where } from "./verify_pages.ts";
import { canSkip, compileFilter, type Filter, matches, type Predicate, predicateColumns } from "./filters.ts";
import { topLevelColumns } from "./top_level.ts";

/** Where to read from: a local path, an `s3://` URL, or bytes already at hand. */
export type ParquetSource = string | AsyncBuffer | ArrayBuffer | Uint8Array;

/** Options of {@link readParquet}. */
export interface ReadOptions extends OpenOptions {
  /** Table columns to return (a point column by its table name). Default: all. */
  columns?: string[];
  /** Rows to keep; see {@link Filter}. Row groups whose statistics rule the filter out are not read. */
  filters?: Filter;
  /** Called for every row group, read or skipped: to count pruning. */
  onRowGroup?: (info: { index: number; rows: number; skipped: boolean }) => void;
}

/**
 * Reads a Parquet file into rows.
 *
 * Values come back as the validate stage made them: `bigint` for int8, exact decimal text for numeric,
 * ISO text with microseconds for timestamps (`Z` for timestamptz), `YYYY-MM-DD` for dates, parsed JSON,
 * UUID text, `{ latitude, longitude }` for points (when the file records its table definition; in a
 * file from elsewhere the two columns stay apart).
 *
 * @example
 * ```ts
 * import { defineTable, EncodeStream, int, readParquet, text } from "@parquet-storage/engine";
 * const table = defineTable("t", { id: int(), name: text() });
 * const rows = [{ id: 1, name: "a" }, { id: 2, name: "b" }];
 * const bytes = await new Response(ReadableStream.from(rows).pipeThrough(new EncodeStream(table))).arrayBuffer();
 * const back = await readParquet(bytes, { filters: { id: { $gt: 1 } } });
 * console.assert(back.length === 1 && back[0].name === "b");
 * ```
 */
export async function readParquet(source: ParquetSource, options: ReadOptions = {}): Promise<Row[]> {
  const rows: Row[] = [];
  // A loop, not push(...group): spreading a large row group overflows the call stack.
  for await (const group of readRowGroups(source, options)) for (const row of group) rows.push(row);
  return rows;
}

/**
 * Reads a Parquet file as a stream of rows, one row group in memory at a time.
 *
 * @example
 * ```ts
 * import { defineTable, EncodeStream, int } from "@parquet-storage/engine";
 * import { readParquetStream } from "@parquet-storage/engine/read";
 * const table = defineTable("t", { id: int() });
 * const bytes = await new Response(ReadableStream.from([{ id: 7 }]).pipeThrough(new EncodeStream(table))).bytes();
 * const rows = await Array.fromAsync(readParquetStream(bytes));
 * console.assert(rows[0].id === 7);
 * ```
 */
export function readParquetStream(source: ParquetSource, options: ReadOptions = {}): ReadableStream<Row> {
  const groups = readRowGroups(source, options);
  return new ReadableStream<Row>({
    async pull(controller) {
      // A row group can have no matching rows: keep reading until one does, or the file ends, since a
      // pull that enqueues nothing is not called again.
      while (true) {
        const { done, value } = await groups.next();
        if (done) return controller.close();
        if (!value.length) continue;
        for (const row of value) controller.enqueue(row);
        return;
      }
    },
    async cancel() {
      await groups.return(undefined);
    },
  });
}

/** The table definition a file records in its key-value metadata, if it was written by this library. */
export function tableOfMetadata(metadata: FileMetaData): TableDefinition | undefined {
  const entry = metadata.key_value_metadata?.find((kv) => kv.key === TABLE_METADATA_KEY);
  if (!entry?.value) return undefined;
  return tableFromSpec(JSON.parse(entry.value) as TableSpec);
}

/** Reads a file's footer (metadata) only. */
export async function readMetadata(source: ParquetSource, options: OpenOptions = {}): Promise<FileMetaData> {
  const file = await openSource(source, options);
  return await parquetMetadataAsync(file, { parsers: RAW_PARSERS });
}

async function* readRowGroups(source: ParquetSource, options: ReadOptions): AsyncGenerator<Row[]> {
  const file = await openSource(source, options);
  let metadata: FileMetaData;
  try {
    metadata = await parquetMetadataAsync(file, { parsers: RAW_PARSERS });
  } catch (cause) {
    throw new ReadError(
      `Cannot read Parquet metadata of ${describeSource(source)}: ${(cause as Error).message}`,
      {
        cause,
      },
    );
  }
  const where = { file: describeSource(source) } as Where;
  let table: TableDefinition | undefined;
  try {
    table = tableOfMetadata(metadata);
  } catch (cause) {
    throw new ReadError(
      `Cannot read ${where.file}: the file is damaged (its table definition cannot be read: ${
        (cause as Error).message
      })`,
      { ...where, cause },
    );
  }
  where.table = table?.name;
  checkFooter(metadata, file.byteLength, table, where);
  await checkFooterLength(file, metadata, where);
  const plan = planRead(metadata, options);
  let start = 0;
  for (const [index, group] of metadata.row_groups.entries()) {
    const rows = Number(group.num_rows);
    const end = start + rows;
    const skipped = plan.predicate !== undefined &&
      canSkip(plan.predicate, (column) => plan.statistics(index, column));
    options.onRowGroup?.({ index, rows, skipped });
    if (!skipped && rows > 0) {
      // Pages are checked before a value is decoded: a damaged page is an error, never different rows.
      const checked = await verifiedRowGroup(file, metadata, index, plan.leaves, where);
      let raw: Record<string, unknown>[];
      try {
        raw = await parquetReadObjects({
          file: checked,
          metadata: plan.readMetadata,
          columns: plan.leaves,
          rowStart: start,
          rowEnd: end,
          parsers: RAW_PARSERS,
          // This library annotates every string: an unannotated BYTE_ARRAY of its files is bytes (bytea).
          utf8: table === undefined,
          compressors: DECOMPRESSORS,
        });
      } catch (cause) {
        throw new ReadError(
          `Cannot decode row group ${index} of ${describeSource(source)}: ${(cause as Error).message}`,
          { ...where, rowGroup: index, cause },
        );
      }
      yield plan.toRows(raw);
    }
    start = end;
  }
}

interface ReadPlan {
  readMetadata: FileMetaData;
  leaves: string[];
  predicate?: Predicate;
  statistics(
    group: number,
    column: string,
  ): { min?: unknown; max?: unknown; nullCount?: bigint; rows: bigint } | undefined;
  toRows(raw: Record<string, unknown>[]): Row[];
}

function planRead(metadata: FileMetaData, options: ReadOptions): ReadPlan {
  const table = tableOfMetadata(metadata);
  const leafNames = topLevelColumns(metadata.schema).map((e) => e.name);
  // Each output column: its name and the leaves it is built from.
  const outputs = table
    ? tableOutputs(table, leafNames)
    : leafNames.map((name) => ({ name, leaves: [name], build: undefined }));
  const readers = new Map<string, ColumnReader>();
  if (table) {
    for (const [name, column] of Object.entries(table.columns)) {
      if (column.spec.kind === "point") {
        for (const leaf of pointColumnNames(table, name, leafNames)) {
          readers.set(leaf, columnReader({ kind: "float", nullable: true }));
        }
      } else readers.set(name, columnReader(column.spec));
    }
  }
  // A column of a file from elsewhere comes back as hyparquet decodes it: one shared pass-through reader.
  const passThrough = columnReader({ kind: "text", nullable: true });
  const reader = (leaf: string) => readers.get(leaf) ?? passThrough;

  const selected = options.columns === undefined ? outputs : options.columns.map((name) => {
    const output = outputs.find((o) => o.name === name) ?? outputs.find((o) => o.leaves.includes(name));
    if (!output) {
      throw new ReadError(
        `Unknown column ${JSON.stringify(name)}: the file has ${outputs.map((o) => o.name).join(", ")}`,
        { column: name },
      );
    }
    return output;
  });
  const unique = [...new Set(selected)];

  const layout = table ? parquetLayout(table) : undefined;
  const predicate = options.filters === undefined
    ? undefined
    : compileFilter(options.filters, (leaf, value) => {
      if (!leafNames.includes(leaf)) {
        throw new ReadError(
          `Unknown column in filter: ${JSON.stringify(leaf)}; the file has ${leafNames.join(", ")}`,
          { column: leaf },
        );
      }
      const column = layout?.columns.find((c) => c.name === leaf);
      if (!table || !column) return value;
      const spec = table.columns[column.source].spec;
      // A filter value is given as rows carry it: validate it like a row value, then store it like one.
      const canonical = spec.kind === "point"
        ? value
        : validateFilterValue(columnFromSpec({ ...spec, nullable: false }).schema, value, column.source);
      return spec.kind === "point" ? value : column.toParquet(canonical);
    });
  const filterLeaves = predicate ? predicateColumns(predicate) : [];
  const leaves = [...new Set([...unique.flatMap((o) => o.leaves), ...filterLeaves])];

  const statistics = (group: number, leaf: string) => {
    const chunk = metadata.row_groups[group].columns.find((c) =>
      c.meta_data?.path_in_schema.length === 1 && c.meta_data.path_in_schema[0] === leaf
    );
    const stats = chunk?.meta_data?.statistics;
    if (!stats) return undefined;
    const convert = reader(leaf).statistic;
    const min = stats.min_value ?? stats.min;
    const max = stats.max_value ?? stats.max;
    return {
      min: min === undefined || min === null ? undefined : convert(min) ?? undefined,
      max: max === undefined || max === null ? undefined : convert(max) ?? undefined,
      nullCount: stats.null_count,
      rows: metadata.row_groups[group].num_rows,
    };
  };

  return {
    readMetadata: { ...metadata, schema: metadata.schema.map(withoutDecimal) },
    leaves,
    predicate,
    statistics,
    toRows(raw) {
      // Resolved once per row group, not per value.
      const leafReaders = leaves.map((leaf) => ({ leaf, toPhysical: reader(leaf).toPhysical }));
      const builders = unique.map((output) => {
        const [leaf] = output.leaves;
        const toRow = reader(leaf).toRow;
        return {
          name: output.name,
          build: output.build ?? ((physical: Record<string, unknown>) => toRow(physical[leaf])),
        };
      });
      const result: Row[] = [];
      for (const record of raw) {
        const physical: Record<string, unknown> = {};
        for (const { leaf, toPhysical } of leafReaders) physical[leaf] = toPhysical(record[leaf]);
        if (predicate && !matches(predicate, physical)) continue;
        const row: Row = {};
        for (const { name, build } of builders) row[name] = build(physical);
        result.push(row);
      }
      return result;
    },
  };
}

function tableOutputs(table: TableDefinition, leafNames: readonly string[]) {
  return Object.entries(table.columns).map(([name, column]) => {
    if (column.spec.kind !== "point") return { name, leaves: [name], build: undefined };
    const [lat, lon] = pointColumnNames(table, name, leafNames);
    return {
      name,
      leaves: [lat, lon],
      build: (physical: Record<string, unknown>) =>
        physical[lat] == null || physical[lon] == null
          ? null
          : { latitude: physical[lat] as number, longitude: physical[lon] as number },
    };
  });
}

function validateFilterValue(schema: v.GenericSchema, value: unknown, column: string): unknown {
  const result = v.safeParse(schema, value);
  if (!result.success) {
    throw new ReadError(
      `Filter value ${String(value)} does not fit the column: ${result.issues[0].message}`,
      { column },
    );
  }
  return result.output;
}

function withoutDecimal(element: SchemaElement): SchemaElement {
  if (element.converted_type !== "DECIMAL") return element;
  // hyparquet turns decimals into floats; read the stored integers instead and convert them exactly.
  const { converted_type: _c, logical_type: _l, precision: _p, scale: _s, ...rest } = element;
  return rest;
}

async function openSource(source: ParquetSource, options: OpenOptions): Promise<AsyncBuffer> {
  if (source instanceof ArrayBuffer) return source;
  if (source instanceof Uint8Array) {
    return source.byteOffset === 0 && source.byteLength === source.buffer.byteLength
      ? source.buffer as ArrayBuffer
      : source.slice().buffer;
  }
  if (typeof source === "string") return await openLocation(source, options);
  if (source && typeof source.slice === "function" && typeof source.byteLength === "number") return source;
  throw new ParquetStorageError(
    `Cannot read from ${describeSource(source)}: expected a path, an s3:// URL or bytes`,
  );
}

function describeSource(source: unknown): string {
  return typeof source === "string"
    ? source
    : source instanceof ArrayBuffer || source instanceof Uint8Array
    ? "a buffer"
    : typeof source;
}
