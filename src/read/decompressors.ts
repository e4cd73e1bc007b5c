// This module is browser compatible.

/**
 * The decompressors hyparquet reads with. hyparquet-compressors' own map compiles hysnappy's WebAssembly
 * the moment it is imported, which a runtime that forbids compiling WebAssembly from bytes (Cloudflare
 * Workers) refuses, failing the import of the whole library. So this map takes its pieces one by one and
 * compiles snappy's WebAssembly on first use, falling back to hyparquet's JavaScript snappy where it
 * cannot compile.
 *
 * @module
 */

import type { Compressors } from "hyparquet";
import { snappyUncompress } from "hyparquet";
import { decompressBrotli } from "hyparquet-compressors/src/brotli.js";
import { gunzip } from "hyparquet-compressors/src/gzip.js";
import { decompressLz4, decompressLz4Raw } from "hyparquet-compressors/src/lz4.js";
import { decompress as decompressZstd } from "fzstd";
import { snappyUncompressor } from "hysnappy";

type Decompressor = (input: Uint8Array, outputLength: number) => Uint8Array;

let snappy: Decompressor | undefined;

function loadSnappy(): Decompressor {
  try {
    return snappyUncompressor();
  } catch {
    // WebAssembly compiled from bytes is refused here: hyparquet's JavaScript snappy is the slower twin.
    return (input, outputLength) => {
      const output = new Uint8Array(outputLength);
      snappyUncompress(input, output);
      return output;
    };
  }
}

/**
 * Every codec hyparquet may meet in a file: SNAPPY, GZIP, BROTLI, ZSTD, LZ4 and LZ4_RAW.
 *
 * @example
 * ```ts
 * import { DECOMPRESSORS } from "./decompressors.ts";
 * console.assert(typeof DECOMPRESSORS.ZSTD === "function");
 * ```
 */
export const DECOMPRESSORS: Compressors = {
  SNAPPY: (input, outputLength) => (snappy ??= loadSnappy())(input, outputLength),
  GZIP: (input, outputLength) => gunzip(input, new Uint8Array(outputLength)),
  BROTLI: decompressBrotli,
  ZSTD: (input) => decompressZstd(input),
  LZ4: decompressLz4,
  LZ4_RAW: decompressLz4Raw,
};
