// This module is browser compatible.

/**
 * Compression codecs for writing, and the decompressors for reading them back.
 *
 * @module
 */

import { ParquetStorageError } from "../errors.ts";

/** A Parquet compression codec this library writes. */
export type Codec = "UNCOMPRESSED" | "SNAPPY";

/** Every codec this library writes, in the order the CLI lists them. */
export const CODECS: readonly Codec[] = ["UNCOMPRESSED", "SNAPPY"];

/** A block compressor, as hyparquet-writer takes it. */
export type Compressor = (input: Uint8Array) => Uint8Array;

/** The compressors hyparquet-writer needs for `codec` (snappy is built into it). */
export function compressorsFor(codec: string): Record<string, Compressor> {
  if (!(CODECS as readonly string[]).includes(codec)) {
    throw new ParquetStorageError(
      `Cannot compress with codec ${JSON.stringify(codec)}: expected one of ${CODECS.join(", ")}`,
    );
  }
  return {};
}
