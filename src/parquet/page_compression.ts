// This module is browser compatible.

/**
 * A data page compressed into pieces rather than one array, so that a page holding one huge value (a
 * 50 MB jsonb) is never copied whole again: no 50 MB compressor output, no WebAssembly memory grown to
 * twice the page and kept so for the life of the process (hysnappy's grows to fit input and output).
 *
 * Snappy's raw format is a varint of the uncompressed length, then literals and back-references; a
 * compressor's output for a slice of the input is valid on its own, so the slices' outputs without
 * their own length, after the whole page's length, are one valid block (whose back-references stay
 * within their slice). Other codecs compress the page whole.
 *
 * A version 2 data page says whether its values are compressed (`is_compressed`), and a column whose
 * values do not compress (uuids, random doubles, serial ids) is stored as it is, as arrow-rs stores a
 * page that compression does not shrink: compressing such bytes cost as much CPU as compressing the rest
 * of a table (snappy's WebAssembly build runs at about 100 MB/s over them), to save nothing.
 *
 * @module
 */

import type { Codec, Compressor } from "./codecs.ts";

/** Input bytes per snappy slice: a multiple of snappy's 64 KiB blocks. */
export const SNAPPY_SLICE_BYTES = 1024 * 1024;

/** Compresses a page into pieces whose concatenation is the compressed page. */
export type PieceCompressor = (plain: Uint8Array) => Uint8Array[];

/**
 * The piece compressor of `codec`: UNCOMPRESSED gives the input itself (a view the caller may have to
 * copy), SNAPPY slices of {@link SNAPPY_SLICE_BYTES}, any other codec one piece.
 *
 * @example
 * ```ts
 * import { pieceCompressor } from "./page_compression.ts";
 * const pieces = pieceCompressor("UNCOMPRESSED", undefined)(new Uint8Array(3));
 * console.assert(pieces.length === 1 && pieces[0].length === 3);
 * ```
 */
export function pieceCompressor(codec: Codec, compress: Compressor | undefined): PieceCompressor {
  if (!compress) return (plain) => [plain];
  if (codec !== "SNAPPY") return (plain) => [compress(plain)];
  return (plain) => {
    if (plain.length <= SNAPPY_SLICE_BYTES) return [compress(plain)];
    const pieces = [varint(plain.length)];
    for (let at = 0; at < plain.length; at += SNAPPY_SLICE_BYTES) {
      const block = compress(plain.subarray(at, Math.min(plain.length, at + SNAPPY_SLICE_BYTES)));
      let skip = 0;
      while (block[skip] & 0x80) skip++;
      pieces.push(block.subarray(skip + 1));
    }
    return pieces;
  };
}

/** Pages of a column stored as they are, after one that compression shrank by less than 1/32, before it is tried again. */
export const STORED_PAGES = 16;

/** A data page's bytes as stored, and whether they are compressed. */
export interface StoredPage {
  pieces: Uint8Array[];
  compressed: boolean;
}

/**
 * Compresses data pages column by column, and stores a column's pages as they are while compressing
 * them does not pay: a page compressed to more than 31/32 of its size is followed by
 * {@link STORED_PAGES} pages of that column not compressed at all, then compression is tried again. A
 * compressed page longer than its input is stored as it is.
 *
 * @example
 * ```ts
 * import { DataPageCompressor } from "./page_compression.ts";
 * const pages = new DataPageCompressor("UNCOMPRESSED", undefined);
 * console.assert(!pages.compress("id", new Uint8Array(8)).compressed);
 * ```
 */
export class DataPageCompressor {
  #compress: PieceCompressor | undefined;
  /** Per column (its path, dotted): pages still to store without trying. */
  #storing = new Map<string, number>();

  constructor(codec: Codec, compress: Compressor | undefined) {
    this.#compress = compress && pieceCompressor(codec, compress);
  }

  /** The stored bytes of `column`'s data page `plain` (for an uncompressed page, `plain` itself). */
  compress(column: string, plain: Uint8Array): StoredPage {
    const stored = { pieces: [plain], compressed: false };
    if (!this.#compress) return stored;
    const storing = this.#storing.get(column) ?? 0;
    if (storing > 0) {
      this.#storing.set(column, storing - 1);
      return stored;
    }
    const pieces = this.#compress(plain);
    let length = 0;
    for (const piece of pieces) length += piece.length;
    if (length > plain.length - (plain.length >>> 5)) this.#storing.set(column, STORED_PAGES);
    return length < plain.length ? { pieces, compressed: true } : stored;
  }
}

function varint(n: number): Uint8Array {
  const out: number[] = [];
  while (n >= 0x80) {
    out.push((n & 0x7f) | 0x80);
    n = Math.floor(n / 128);
  }
  out.push(n);
  return new Uint8Array(out);
}
