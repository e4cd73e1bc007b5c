/**
 * Parquet Storage: stream PostgreSQL (or any) rows into immutable Parquet files on local disk or S3,
 * validated against Valibot schemas, and read them back.
 *
 * This entry point runs where no filesystem exists (browsers, edge runtimes): local paths given to
 * `writeParquet` and `readParquet` load the local-disk code on demand. The local sink itself is in
 * `@parquet-storage/engine/local`.
 *
 * This is the core; the rest is behind named entry points: `./local`, `./s3` (sinks and storage),
 * `./postgres` (sources and exports), `./batch` (commits), `./iceberg`, `./platform` (the borehole
 * platform's tables), and `./read`, `./write`, `./schema` (the same rooms in depth: streams of rows and
 * filters; codecs, checksums, file names and the sink interfaces; the types behind the vocabulary).
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

export { ParquetStorageError, ReadError, SchemaError, ValidationError } from "./src/errors.ts";
export {
  array,
  bigint,
  boolean,
  bytea,
  date,
  enumOf,
  float,
  geographyPoint,
  geometry,
  int,
  interval,
  jsonb,
  numeric,
  real,
  smallint,
  text,
  time,
  timestamp,
  timestamptz,
  timetz,
  uuid,
} from "./src/schema/columns.ts";
export { defineTable, type InferRow, type Row, type TableDefinition } from "./src/schema/table.ts";
export { type ValidateOptions, ValidateStream } from "./src/streams/validate_stream.ts";
export { type EncodeOptions, EncodeStream } from "./src/streams/encode_stream.ts";
export { PartitionStream } from "./src/streams/partition_stream.ts";
export { type ReadOptions, readParquet } from "./src/read/read_parquet.ts";
export { type WriteOptions, writeParquet, type WriteResult } from "./src/export/write_parquet.ts";
export {
  writeDataset,
  type WriteDatasetOptions,
  type WriteDatasetResult,
} from "./src/export/write_dataset.ts";
export { readDataset } from "./src/read/read_dataset.ts";
export { type EngineOptions, ParquetStorageEngine } from "./src/engine.ts";
