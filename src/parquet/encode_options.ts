// This module is browser compatible.

/**
 * The encoder's options and their defaults, apart from the encoder itself, so that the command line's flag
 * table can show the defaults without loading the encoding.
 *
 * @module
 */

import type { Codec } from "./codecs.ts";

/** Options of the encoders. */
export interface EncodeOptions {
  /** Rows per row group (at most). Default 100,000. */
  rowGroupSize?: number;
  /** Approximate in-memory bytes per row group (at most), whichever limit comes first. Default 64 MiB. */
  rowGroupBytes?: number;
  /** Compression codec. Default `"SNAPPY"`. */
  codec?: Codec;
  /**
   * Compression level, for a codec that has levels (`COMPRESSION_LEVELS`: GZIP 0-9, ZSTD 1-22, BROTLI
   * 0-11). Default: the codec's own (GZIP 6, ZSTD 3, BROTLI 4).
   */
  compressionLevel?: number;
  /** Target data page size in bytes. Default 1 MiB. */
  pageSize?: number;
  /** Extra key-value metadata for the footer. */
  metadata?: Record<string, string>;
  /** Parquet field ids by element path (see `ParquetLayoutOptions`), as an Iceberg table assigns them. */
  fieldIds?: Readonly<Record<string, number>>;
}

/**
 * Default values of {@link EncodeOptions}.
 *
 * @example
 * ```ts
 * import { ENCODE_DEFAULTS } from "@parquet-storage/engine/write";
 * console.assert(ENCODE_DEFAULTS.rowGroupSize === 100_000 && ENCODE_DEFAULTS.codec === "SNAPPY");
 * ```
 */
export const ENCODE_DEFAULTS: Required<Omit<EncodeOptions, "metadata" | "compressionLevel" | "fieldIds">> = {
  rowGroupSize: 100_000,
  rowGroupBytes: 64 * 1024 * 1024,
  codec: "SNAPPY",
  pageSize: 1024 * 1024,
};
