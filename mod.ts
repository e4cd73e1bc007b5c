/**
 * Parquet Storage: stream PostgreSQL (or any) rows into immutable Parquet files on local disk or S3,
 * validated against Valibot schemas, and read them back.
 *
 * This entry point runs where no filesystem exists (browsers, edge runtimes): local paths given to
 * `writeParquet` and `readParquet` load the local-disk code on demand. The local sink itself is in
 * `@parquet-storage/engine/local`.
 *
 * ```ts
 * import { defineTable, int, readParquet, text, writeParquet } from "@parquet-storage/engine";
 *
 * const users = defineTable("users", { id: int(), name: text() });
 * const dir = await Deno.makeTempDir();
 * const { location } = await writeParquet(dir, [{ id: 1, name: "Ada" }], { table: users });
 * console.assert((await readParquet(location))[0].name === "Ada");
 * ```
 *
 * @module
 */

export * from "./src/errors.ts";
export {
  array,
  bigint,
  boolean,
  bytea,
  type Column,
  type ColumnKind,
  type ColumnSpec,
  type ColumnValue,
  date,
  enumOf,
  float,
  geographyPoint,
  geometry,
  type GeometryOptions,
  type GeoPoint,
  int,
  interval,
  jsonb,
  type JsonValue,
  numeric,
  real,
  smallint,
  text,
  time,
  timestamp,
  type TimestampOptions,
  timestamptz,
  timetz,
  uuid,
} from "./src/schema/columns.ts";
export {
  type Columns,
  defineTable,
  type InferRow,
  type Row,
  type TableDefinition,
  type TableOptions,
} from "./src/schema/table.ts";
export { type InvalidRow, type ValidateOptions, ValidateStream } from "./src/streams/validate_stream.ts";
export { ENCODE_DEFAULTS, type EncodeOptions, EncodeStream } from "./src/streams/encode_stream.ts";
export { type Codec, CODECS } from "./src/parquet/codecs.ts";
export { parquetFileName } from "./src/sinks/file_name.ts";
export type { FileSink, S3Options, SinkOptions } from "./src/sinks/sink.ts";
export type { Storage, StoredFile, UnfinishedWrite } from "./src/storage/storage.ts";
export type { Filter, FilterOperators } from "./src/read/filters.ts";
export {
  type ParquetSource,
  type ReadOptions,
  readParquet,
  readParquetStream,
} from "./src/read/read_parquet.ts";
export {
  type RowSource,
  type WriteOptions,
  writeParquet,
  type WriteResult,
} from "./src/export/write_parquet.ts";
export {
  type BatchTable,
  type EngineOptions,
  type EngineReadOptions,
  type EngineWriteOptions,
  ParquetStorageEngine,
  type ValidationReport,
} from "./src/engine.ts";
export { type Checksum, ChecksumStream } from "./src/streams/checksum_stream.ts";
export { type PartitionedRow, PartitionStream } from "./src/streams/partition_stream.ts";
export { type PartitionKey, type TimeGranularity } from "./src/schema/partition_key.ts";
export {
  DATASET_DEFAULTS,
  type DatasetFile,
  writeDataset,
  type WriteDatasetOptions,
  type WriteDatasetResult,
} from "./src/export/write_dataset.ts";
export { readDataset, type ReadDatasetOptions, readDatasetStream } from "./src/read/read_dataset.ts";
export type { OpenOptions } from "./src/storage/open_location.ts";
