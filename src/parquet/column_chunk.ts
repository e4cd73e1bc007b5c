// This module is browser compatible.

/**
 * Writes one {@link ColumnBuffer} as a Parquet column chunk: a dictionary page when the buffer kept its
 * dictionary, then data pages (v2, as hyparquet-writer writes them) of about `pageSize` bytes each, the
 * values compressed and the definition levels not, each page with its CRC32 (Parquet's page `crc`). Page
 * headers and the RLE/bit-packed hybrid come from hyparquet-writer; only the page layout, which works on
 * bytes instead of JS values, is ours.
 *
 * Pages of BYTE_ARRAY values are cut by their bytes, before the value that would take a page past
 * `pageSize`: a huge value is a page of its own. A long compressed page is not copied into the writer
 * but handed on as parts of its own (see {@link ColumnChunkWriter.write}), so a 50 MB value exists once
 * as stored bytes, besides its column buffer.
 *
 * Why one file: the page cuts, the pages and where their bytes go (writer or parts) share one chunk's
 * running offsets and scratch writers; apart, each would have to hand the others its cursor per page.
 *
 * @module
 */

import type { ColumnChunk, Encoding, SchemaElement } from "hyparquet";
import { ByteWriter } from "hyparquet-writer";
import { writePageHeader } from "hyparquet-writer/src/datapage.js";
import { writeRleBitPackedHybrid } from "./rle_hybrid.ts";
import type { Codec, Compressor } from "./codecs.ts";
import { type ColumnBuffer, indexBits, int32LE } from "./column_buffer.ts";
import { columnStatistics } from "./column_statistics.ts";
import { crc32 } from "./crc32.ts";
import { DataPageCompressor, type PieceCompressor, pieceCompressor } from "./page_compression.ts";

/** Compressed bytes of a page from which they are a part of their own rather than copied into the writer. */
export const OWN_PART_BYTES = 256 * 1024;

/** How pages are written. */
export interface PageOptions {
  /** The codec named in the metadata. */
  codec: Codec;
  /** Its compressor (whose output is an array of its own, which may go out as it is); none for UNCOMPRESSED. */
  compress: Compressor | undefined;
  /** Target bytes per data page, before compression. */
  pageSize: number;
}

/** Writes column chunks into one file's writer, reusing its scratch buffers from chunk to chunk. */
export class ColumnChunkWriter {
  #file: ByteWriter;
  #options: PageOptions;
  #levels = new ByteWriter(64 * 1024);
  #values = new ByteWriter(64 * 1024);
  #compress: PieceCompressor;
  #dataPages: DataPageCompressor;
  #parts: Uint8Array[] | undefined;

  constructor(file: ByteWriter, options: PageOptions) {
    this.#file = file;
    this.#options = options;
    this.#compress = pieceCompressor(options.codec, options.compress);
    this.#dataPages = new DataPageCompressor(options.codec, options.compress);
  }

  /**
   * Appends `buffer`'s row group as the column chunk of `element` and returns its metadata. Given
   * `parts`, the chunk's bytes go there, in order, as the file's next bytes: what the writer holds
   * (headers, levels, short pages; the writer is then emptied) and long compressed pages as they are;
   * without, all of them are appended to the writer.
   */
  write(buffer: ColumnBuffer, element: SchemaElement, path: string[], parts?: Uint8Array[]): ColumnChunk {
    this.#parts = parts;
    try {
      return this.#chunk(buffer, element, path);
    } finally {
      if (parts) this.#flush();
      this.#parts = undefined;
    }
  }

  #chunk(buffer: ColumnBuffer, element: SchemaElement, path: string[]): ColumnChunk {
    buffer.settle();
    const file = this.#file;
    const { codec } = this.#options;
    const start = file.offset;
    let uncompressed = 0;
    let dictionary_page_offset: bigint | undefined;
    const dictionary = buffer.dictionary;
    if (dictionary) {
      dictionary_page_offset = BigInt(file.offset);
      uncompressed += this.#dictionaryPage(buffer);
    }
    const data_page_offset = BigInt(file.offset);
    const encoding: Encoding = dictionary ? "RLE_DICTIONARY" : element.type === "BOOLEAN" ? "RLE" : "PLAIN";
    const bits = dictionary ? indexBits(dictionary.count) : 0;
    const rows = Math.max(buffer.rows, 1);
    const rowBytes = dictionary
      ? bits / 8 * (buffer.entries / rows)
      : Math.max(buffer.plainBytes / rows, 1 / 8);
    const rowsPerPage = Math.max(1, Math.floor(this.#options.pageSize / rowBytes));
    const { levels, repetition, maxDefinition } = buffer;
    const byBytes = encoding === "PLAIN" && !buffer.shape.width;
    let pages = 0;
    const column = path.join(".");
    for (let entry = 0, value = 0, byte = 0; entry < buffer.entries; pages++) {
      let end = entry, rows = 0, present: number, byteEnd = 0;
      if (byBytes) ({ end, rows, present, byteEnd } = this.#cutByBytes(buffer, entry, byte));
      else {
        // A page holds whole rows: for a LIST, it ends where an entry starts a row (repetition 0).
        if (repetition) {
          while (end < buffer.entries && (rows < rowsPerPage || repetition[end] !== 0)) {
            if (repetition[end] === 0) rows++;
            end++;
          }
        } else {
          end = Math.min(buffer.entries, entry + rowsPerPage);
          rows = end - entry;
        }
        present = end - entry;
        if (levels) { for (let e = entry; e < end; e++) if (levels[e] !== maxDefinition) present--; }
      }
      const at = { column, entry, end, rows, value, present, byte, byteEnd };
      const next = this.#page(buffer, encoding, bits, at);
      uncompressed += next.uncompressed;
      byte = next.byte;
      value += present;
      entry = end;
    }
    return {
      file_offset: BigInt(start),
      meta_data: {
        type: element.type!,
        encodings: dictionary ? ["PLAIN", "RLE_DICTIONARY"] : [encoding],
        path_in_schema: path,
        codec,
        num_values: BigInt(buffer.entries),
        total_uncompressed_size: BigInt(uncompressed),
        total_compressed_size: BigInt(file.offset - start),
        data_page_offset,
        dictionary_page_offset,
        statistics: columnStatistics(buffer, element),
        encoding_stats: [
          ...(dictionary
            ? [{ page_type: "DICTIONARY_PAGE" as const, encoding: "PLAIN" as const, count: 1 }]
            : []),
          { page_type: "DATA_PAGE_V2", encoding, count: pages },
        ],
      },
    };
  }

  /**
   * The rows of the PLAIN BYTE_ARRAY page that starts at `entry` (its values' bytes at `byte`): whole
   * rows until `pageSize` bytes, ending before a row that would take the page past it, so that a huge
   * value is a page of its own.
   */
  #cutByBytes(
    buffer: ColumnBuffer,
    entry: number,
    byte: number,
  ): { end: number; rows: number; present: number; byteEnd: number } {
    const { levels, repetition, maxDefinition, entries, bytes } = buffer;
    const limit = byte + this.#options.pageSize;
    let end = entry, rows = 0, present = 0, b = byte;
    while (end < entries && b < limit) {
      let rowEnd = end, rowByteEnd = b, rowValues = 0;
      do {
        if (!levels || levels[rowEnd] === maxDefinition) {
          rowByteEnd += 4 + int32LE(bytes, rowByteEnd);
          rowValues++;
        }
        rowEnd++;
      } while (repetition && rowEnd < entries && repetition[rowEnd] !== 0);
      if (rows && rowByteEnd > limit) break;
      end = rowEnd;
      b = rowByteEnd;
      rows++;
      present += rowValues;
    }
    return { end, rows, present, byteEnd: b };
  }

  /** The dictionary's entries, PLAIN, as one page; returns its uncompressed size with header. */
  #dictionaryPage(buffer: ColumnBuffer): number {
    const { arena, starts, lengths, count } = buffer.dictionary!;
    const values = this.#values;
    values.index = values.offset = 0;
    if (buffer.shape.width) values.appendBytes(arena.subarray(0, buffer.dictionary!.arenaLength));
    else {
      for (let i = 0; i < count; i++) {
        values.appendUint32(lengths[i]);
        values.appendBytes(arena.subarray(starts[i], starts[i] + lengths[i]));
      }
    }
    const plain = values.getBytes();
    const compressed = this.#compress(plain);
    const headerStart = this.#file.offset;
    writePageHeader(this.#file, {
      type: "DICTIONARY_PAGE",
      uncompressed_page_size: plain.length,
      compressed_page_size: byteLength(compressed),
      crc: crcOf(compressed, 0),
      dictionary_page_header: { num_values: count, encoding: "PLAIN" },
    });
    const header = this.#file.offset - headerStart;
    this.#out(compressed, this.#options.compress !== undefined);
    return header + plain.length;
  }

  /** One data page of rows [row, end); returns its uncompressed size and where its values' bytes end. */
  #page(
    buffer: ColumnBuffer,
    encoding: Encoding,
    bits: number,
    at: {
      column: string;
      entry: number;
      end: number;
      rows: number;
      value: number;
      present: number;
      /** Where the page's PLAIN values start in the buffer's bytes, and where BYTE_ARRAY ones end. */
      byte: number;
      byteEnd: number;
    },
  ): { uncompressed: number; byte: number } {
    const { entry, end, rows, value, present } = at;
    const levels = this.#levels, values = this.#values;
    levels.index =
      levels.offset =
      values.index =
      values.offset =
        0;
    // Version 2 pages keep repetition levels, then definition levels, uncompressed and unprefixed.
    if (buffer.repetition) writeRleBitPackedHybrid(levels, buffer.repetition.subarray(entry, end), 1);
    const repetitionBytes = levels.index;
    if (buffer.levels) {
      writeRleBitPackedHybrid(levels, buffer.levels.subarray(entry, end), bitWidth(buffer.maxDefinition));
    }
    let byte = at.byte;
    let plain: Uint8Array;
    if (encoding === "RLE_DICTIONARY") {
      values.appendUint8(bits);
      writeRleBitPackedHybrid(values, buffer.indices.subarray(value, value + present), bits);
      plain = values.getBytes();
    } else if (encoding === "RLE") {
      // Booleans are one byte each in the buffer; RLE's hybrid packs them, after a 4-byte length.
      values.appendUint32(0);
      writeRleBitPackedHybrid(values, buffer.bytes.subarray(value, value + present), 1);
      values.view.setUint32(0, values.index - 4, true);
      plain = values.getBytes();
    } else {
      const width = buffer.shape.width;
      const from = byte;
      byte = width ? (value + present) * width : at.byteEnd;
      plain = buffer.bytes.subarray(from, byte);
    }
    const stored = this.#dataPages.compress(at.column, plain);
    const compressed = stored.pieces;
    const file = this.#file;
    const headerStart = file.offset;
    // The page's CRC covers its bytes as stored after the header: the levels, then the values.
    const levelBytes = levels.index ? levels.getBytes() : undefined;
    const crc = crcOf(compressed, levelBytes ? crc32(levelBytes) : 0);
    writePageHeader(file, {
      type: "DATA_PAGE_V2",
      uncompressed_page_size: levels.index + plain.length,
      compressed_page_size: levels.index + byteLength(compressed),
      crc,
      data_page_header_v2: {
        num_values: end - entry,
        num_nulls: end - entry - present,
        num_rows: rows,
        encoding,
        definition_levels_byte_length: levels.index - repetitionBytes,
        repetition_levels_byte_length: repetitionBytes,
        is_compressed: stored.compressed,
      },
    });
    const header = file.offset - headerStart;
    if (levelBytes) file.appendBytes(levelBytes);
    this.#out(compressed, stored.compressed);
    return { uncompressed: header + levels.index + plain.length, byte };
  }

  /**
   * A page's stored values, after its header: appended to the writer, or, when long and parts are
   * taken, parts of their own after what the writer holds (copied unless `owned`: uncompressed, they are
   * the buffer's own bytes, which the next row group overwrites).
   */
  #out(pieces: Uint8Array[], owned: boolean): void {
    const file = this.#file, parts = this.#parts;
    const length = byteLength(pieces);
    if (!parts || length < OWN_PART_BYTES) {
      for (const piece of pieces) file.appendBytes(piece);
      return;
    }
    this.#flush();
    for (const piece of pieces) parts!.push(owned ? piece : piece.slice());
    file.offset += length;
  }

  /** Moves what the writer holds into the parts. */
  #flush(): void {
    const file = this.#file;
    if (!file.index) return;
    this.#parts!.push(file.getBytes().slice());
    file.index = 0;
  }
}

function byteLength(pieces: Uint8Array[]): number {
  let length = 0;
  for (const piece of pieces) length += piece.length;
  return length;
}

function crcOf(pieces: Uint8Array[], seed: number): number {
  let crc = seed;
  for (const piece of pieces) crc = crc32(piece, crc);
  return crc;
}

/** Bits of a level up to `max` (1 for 1, 2 for 2 and 3). */
function bitWidth(max: number): number {
  return 32 - Math.clz32(max);
}
