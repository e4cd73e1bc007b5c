/**
 * Writing in depth: the encoder's settings and codecs, checksums, file names, partitioned rows and the
 * files of a dataset, and the interfaces every sink and storage implements (`LocalFileSink` and
 * `LocalStorage` in `./local`, `S3Sink` and `S3Storage` in `./s3`). `writeParquet`, `writeDataset` and
 * the streams they are made of are in the main entry point.
 *
 * ```ts
 * import { defineTable, EncodeStream, int } from "@parquet-storage/engine";
 * import { ChecksumStream, CODECS } from "@parquet-storage/engine/write";
 *
 * const table = defineTable("t", { id: int() });
 * const checksum = new ChecksumStream();
 * await ReadableStream.from([{ id: 1 }])
 *   .pipeThrough(new EncodeStream(table, { codec: "ZSTD" }))
 *   .pipeThrough(checksum)
 *   .pipeTo(new WritableStream());
 * console.assert(CODECS.includes("ZSTD") && (await checksum.result).sha256.length === 64);
 * ```
 *
 * @module
 */

export { SinkError } from "./src/errors.ts";
export { ENCODE_DEFAULTS } from "./src/streams/encode_stream.ts";
export { type Codec, CODECS } from "./src/parquet/codecs.ts";
export { type Checksum, ChecksumStream } from "./src/streams/checksum_stream.ts";
export { parquetFileName } from "./src/sinks/file_name.ts";
export type { FileSink, SinkOptions } from "./src/sinks/sink.ts";
export type { Storage, StoredFile, UnfinishedWrite } from "./src/storage/storage.ts";
export type { RowSource } from "./src/export/write_parquet.ts";
export type { PartitionedRow } from "./src/streams/partition_stream.ts";
export { DATASET_DEFAULTS, type DatasetFile } from "./src/export/write_dataset.ts";
export type { BatchTable, EngineWriteOptions } from "./src/engine.ts";
