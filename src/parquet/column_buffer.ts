// This module is browser compatible.

/**
 * One column of one row group, held as the bytes Parquet will store: PLAIN-encoded values (fixed-width
 * little-endian, or BYTE_ARRAY's 4-byte length and bytes), a definition level per entry for a nullable
 * or LIST column (and a repetition level per entry for a LIST), and, while it pays, a dictionary with
 * one index per value instead of the PLAIN bytes.
 *
 * Both doors write here: the kinds' row writers and binary COPY field writers put a value's bytes at
 * `bytes[length…]` and then `commit` it; the buffer decides whether the bytes stay (PLAIN) or are
 * interned (dictionary). Its memory is reused from one row group to the next.
 *
 * A LIST column (a 1-D array, three-level: column, repeated `list`, `element`) takes, per row, either
 * `addNull()` (a NULL array) or `beginList(n)` followed by exactly `n` elements, each a value
 * (`commit`, `addBytes`, `commitBytes`) or `addNullElement()`; `beginList(0)` is an empty array.
 *
 * Past 300 lines on purpose: PLAIN bytes, the dictionary and the levels share the state every value
 * touches, and splitting them would put a call between a value and its bytes on the hottest path.
 *
 * Why one file: PLAIN bytes, levels and the dictionary decision share one buffer's state (lengths,
 * offsets, memory reused between row groups); the dictionary's table itself is `byte_dictionary.ts`.
 *
 * @module
 */

import type { SchemaElement } from "hyparquet";
import type { ValueSink } from "../schema/kinds/kind.ts";
import { ByteDictionary } from "./byte_dictionary.ts";

/** A dictionary larger than this is given up for the row group (parquet-mr's default page size). */
const MAX_DICTIONARY_BYTES = 1024 * 1024;
/** Distinct values after which the dictionary is first judged. */
const FIRST_CHECK = 2048;
/**
 * The most a buffer grows by at once beyond its first huge value: doubling a 50 MB buffer for the
 * small values after it would hold 150 MB while it copies.
 */
const GROWTH_STEP = 8 * 1024 * 1024;

/** How a column's values are laid out. */
export interface ColumnShape {
  /** Bytes per value, or 0 for BYTE_ARRAY (a 4-byte length, then the bytes). */
  width: number;
  /** Whether the column has definition levels (nulls). */
  nullable: boolean;
  /** Whether to try dictionary encoding. */
  dictionary: boolean;
  /** For a LIST column (then `nullable` is the array's): whether its elements may be null. */
  list?: { elementNullable: boolean };
}

/** The highest definition level of a column of `shape`: 0 for a required flat column. */
export function maxDefinition(shape: ColumnShape): number {
  const outer = shape.nullable ? 1 : 0;
  return shape.list ? outer + 1 + (shape.list.elementNullable ? 1 : 0) : outer;
}

/** How a column of `element` is laid out in its buffer. */
export function columnShape(
  element: SchemaElement,
  nullable: boolean,
  list?: { elementNullable: boolean },
): ColumnShape {
  const width = element.type === "BYTE_ARRAY"
    ? 0
    : element.type === "FIXED_LEN_BYTE_ARRAY"
    ? element.type_length!
    : element.type === "INT64" || element.type === "DOUBLE"
    ? 8
    : element.type === "BOOLEAN"
    ? 1
    : 4;
  return { width, nullable, dictionary: element.type !== "BOOLEAN", ...(list ? { list } : {}) };
}

/** A {@link ColumnBuffer}'s row group as plain data, to be posted to a worker. */
export interface ColumnState {
  shape: ColumnShape;
  bytes: Uint8Array;
  length: number;
  values: number;
  rows: number;
  entries: number;
  nulls: number;
  plainBytes: number;
  levels: Uint8Array | undefined;
  repetition: Uint8Array | undefined;
  indices: Int32Array;
  dictionary: { arena: Uint8Array; starts: Int32Array; lengths: Int32Array; count: number } | undefined;
}

/** The values of one column in the row group being built. */
export class ColumnBuffer implements ValueSink {
  /** PLAIN bytes of the values; in dictionary mode only scratch space at `length`. */
  bytes: Uint8Array = new Uint8Array(64 * 1024);
  /** Bytes of `bytes` in use. */
  length = 0;
  /** Values that are not null. */
  values = 0;
  /** Rows, null or not. */
  rows = 0;
  /** Level entries: one per row, or for a LIST one per element (and one per NULL or empty array). */
  entries = 0;
  /** Entries that are not values (NULLs, NULL elements, empty arrays). */
  nulls = 0;
  /** Definition level per entry (`maxDefinition` present), for a nullable or LIST column. */
  levels: Uint8Array | undefined;
  /** Repetition level per entry (0 starts a row, 1 continues its array), for a LIST column. */
  repetition: Uint8Array | undefined;
  /** The definition level of a present value. */
  readonly maxDefinition: number;
  /** Dictionary index per value, while `dictionary` is set. */
  indices: Int32Array = new Int32Array(0);
  /** The row group's dictionary, until it stops paying. */
  dictionary: ByteDictionary | undefined;
  /** What the values would take PLAIN. */
  plainBytes = 0;
  readonly shape: ColumnShape;
  #spare: ByteDictionary | undefined;
  #nextCheck = FIRST_CHECK;
  /** The repetition level of the next entry: 0 until a list's first element is written. */
  #nextRepetition = 0;

  constructor(shape: ColumnShape) {
    this.shape = shape;
    this.maxDefinition = maxDefinition(shape);
    if (this.maxDefinition) this.levels = new Uint8Array(1024);
    if (shape.list) this.repetition = new Uint8Array(1024);
    this.reset();
  }

  /**
   * Hands the row group over as plain data (the big arrays to transfer, not copy) and takes fresh
   * arrays of the same sizes for the next one; `reset` must follow.
   */
  detach(): { state: ColumnState; transfer: ArrayBuffer[] } {
    const { shape, bytes, length, values, rows, entries, nulls, plainBytes, levels, repetition, indices } =
      this;
    const d = this.dictionary;
    const dictionary = d && {
      arena: d.arena.slice(0, d.arenaLength),
      starts: d.starts.slice(0, d.count),
      lengths: d.lengths.slice(0, d.count),
      count: d.count,
    };
    const state = {
      shape,
      bytes,
      length,
      values,
      rows,
      entries,
      nulls,
      plainBytes,
      levels,
      repetition,
      indices,
      dictionary,
    };
    const transfer = [bytes.buffer, indices.buffer, levels?.buffer, repetition?.buffer]
      .filter((b) => b !== undefined) as ArrayBuffer[];
    this.bytes = new Uint8Array(bytes.length);
    this.indices = new Int32Array(indices.length);
    if (levels) this.levels = new Uint8Array(levels.length);
    if (repetition) this.repetition = new Uint8Array(repetition.length);
    return { state, transfer };
  }

  /** A buffer holding a detached row group, ready for `ColumnChunkWriter.write`. */
  static restore(state: ColumnState): ColumnBuffer {
    const buffer = new ColumnBuffer({ ...state.shape, dictionary: false });
    Object.assign(buffer, {
      bytes: state.bytes,
      length: state.length,
      values: state.values,
      rows: state.rows,
      entries: state.entries,
      nulls: state.nulls,
      plainBytes: state.plainBytes,
      levels: state.levels,
      repetition: state.repetition,
      indices: state.indices,
    });
    if (state.dictionary) {
      const dictionary = new ByteDictionary();
      Object.assign(dictionary, { ...state.dictionary, arenaLength: state.dictionary.arena.length });
      buffer.dictionary = dictionary;
    }
    return buffer;
  }

  /** Empties the buffer for the next row group, keeping its memory. */
  reset(): void {
    this.length =
      this.values =
      this.rows =
      this.entries =
      this.nulls =
      this.plainBytes =
        0;
    this.#nextCheck = FIRST_CHECK;
    this.#nextRepetition = 0;
    if (this.shape.dictionary) {
      this.dictionary = this.#spare ??= new ByteDictionary();
      this.dictionary.clear();
      if (!this.indices.length) this.indices = new Int32Array(1024);
    }
  }

  /** Makes room for `n` more bytes at `length`, and returns the (possibly new) `bytes`. */
  reserve(n: number): Uint8Array {
    if (this.length + n > this.bytes.length) {
      const need = this.length + n, had = this.bytes.length;
      const bytes = new Uint8Array(Math.max(need + (need >>> 3), Math.min(had * 2, had + GROWTH_STEP)));
      bytes.set(this.bytes.subarray(0, this.length));
      this.bytes = bytes;
    }
    return this.bytes;
  }

  /** A null row (for a LIST column: a NULL array). */
  addNull(): void {
    this.#nextRepetition = 0;
    this.#entry(0);
    this.nulls++;
  }

  /** Starts a LIST row of `n` elements, which follow; `beginList(0)` is an empty array. */
  beginList(n: number): void {
    this.#nextRepetition = 0;
    if (n === 0) {
      this.#entry(this.shape.nullable ? 1 : 0);
      this.nulls++;
    }
  }

  /** A NULL element of the LIST row begun last. */
  addNullElement(): void {
    this.#entry(this.maxDefinition - 1);
    this.nulls++;
  }

  /** Takes the fixed-width value just written at `bytes[length…]`. */
  commit(): void {
    const width = this.shape.width;
    if (this.dictionary) this.#intern(this.bytes, this.length, width);
    else this.length += width;
    this.plainBytes += width;
    this.#present();
  }

  /** Takes a BYTE_ARRAY value from `source[at, at + n)`. */
  addBytes(source: Uint8Array, at: number, n: number): void {
    if (this.dictionary && n > MAX_DICTIONARY_BYTES) this.#giveUp();
    if (this.dictionary) this.#intern(source, at, n);
    else {
      const bytes = this.reserve(4 + n), o = this.length;
      writeLength(bytes, o, n);
      if (n < 64) { for (let i = 0; i < n; i++) bytes[o + 4 + i] = source[at + i]; }
      else bytes.set(source.subarray(at, at + n), o + 4);
      this.length = o + 4 + n;
    }
    this.plainBytes += 4 + n;
    this.#present();
  }

  /** Takes the BYTE_ARRAY value whose `n` bytes were written at `bytes[length + 4…]`. */
  commitBytes(n: number): void {
    if (this.dictionary && n > MAX_DICTIONARY_BYTES) this.#giveUpBefore(n);
    const o = this.length;
    if (this.dictionary) this.#intern(this.bytes, o + 4, n);
    else {
      writeLength(this.bytes, o, n);
      this.length = o + 4 + n;
    }
    this.plainBytes += 4 + n;
    this.#present();
  }

  /**
   * Whether the dictionary makes the row group smaller than PLAIN would; if not, it is dropped and the
   * PLAIN bytes rebuilt. Called once the row group is complete.
   */
  settle(): void {
    const dictionary = this.dictionary;
    if (!dictionary) return;
    const prefix = this.shape.width ? 0 : 4;
    const bits = indexBits(dictionary.count);
    const encoded = dictionary.arenaLength + prefix * dictionary.count + Math.ceil(this.values * bits / 8);
    if (encoded >= this.plainBytes) this.#giveUp();
  }

  #present(): void {
    if (this.levels) this.#entry(this.maxDefinition);
    else this.rows = ++this.entries;
    this.values++;
  }

  #entry(level: number): void {
    const at = this.entries++;
    let levels = this.levels!;
    if (at === levels.length) this.levels = levels = grownBytes(levels);
    levels[at] = level;
    let repetition = this.repetition;
    if (!repetition) {
      this.rows++;
      return;
    }
    if (at === repetition.length) this.repetition = repetition = grownBytes(repetition);
    repetition[at] = this.#nextRepetition;
    if (this.#nextRepetition === 0) this.rows++;
    this.#nextRepetition = 1;
  }

  #intern(source: Uint8Array, at: number, n: number): void {
    const dictionary = this.dictionary!;
    const index = dictionary.add(source, at, n);
    if (this.values === this.indices.length) {
      const indices = new Int32Array(this.indices.length * 2);
      indices.set(this.indices);
      this.indices = indices;
    }
    this.indices[this.values] = index;
    if (dictionary.count > this.#nextCheck) {
      // More than half the values distinct, or too big: PLAIN is as good, and cheaper to build.
      if (dictionary.count * 2 > this.values || dictionary.arenaLength > MAX_DICTIONARY_BYTES) {
        this.values++; // the value just interned belongs to the rebuild
        this.#giveUp();
        this.values--;
      } else this.#nextCheck = dictionary.count * 2;
    }
  }

  /**
   * Leaves dictionary mode before a value longer than any dictionary keeps (so it is never copied into
   * one), whose `n` bytes were written at `bytes[length + 4…]`: moved past where the PLAIN bytes of the
   * values before it are rebuilt.
   */
  #giveUpBefore(n: number): void {
    const from = this.length + 4, to = this.plainBytes + 4;
    if (to + n <= this.bytes.length) this.bytes.copyWithin(to, from, from + n);
    else {
      const bytes = new Uint8Array(to + n + ((to + n) >>> 3));
      bytes.set(this.bytes.subarray(from, from + n), to);
      this.bytes = bytes;
    }
    this.#giveUp();
  }

  /** Leaves dictionary mode for the rest of the row group: the PLAIN bytes are rebuilt from it. */
  #giveUp(): void {
    const dictionary = this.dictionary!;
    this.dictionary = undefined;
    const { arena, starts, lengths } = dictionary;
    const width = this.shape.width;
    this.length = 0;
    for (let v = 0; v < this.values; v++) {
      const entry = this.indices[v], start = starts[entry], n = lengths[entry];
      const bytes = this.reserve(n + 4);
      let o = this.length;
      if (!width) {
        writeLength(bytes, o, n);
        o += 4;
      }
      bytes.set(arena.subarray(start, start + n), o);
      this.length = o + n;
    }
  }
}

function grownBytes(array: Uint8Array): Uint8Array {
  const next = new Uint8Array(array.length * 2);
  next.set(array);
  return next;
}

/** Bits per dictionary index for `count` entries (at least 1, as the pages are written). */
export function indexBits(count: number): number {
  return Math.max(1, Math.ceil(Math.log2(count)));
}

/** BYTE_ARRAY's 4-byte little-endian length prefix, written at `bytes[o]`. */
export function writeLength(bytes: Uint8Array, o: number, n: number): void {
  bytes[o] = n;
  bytes[o + 1] = n >>> 8;
  bytes[o + 2] = n >>> 16;
  bytes[o + 3] = n >>> 24;
}

/** The little-endian int32 at `bytes[o]` (a BYTE_ARRAY length prefix, an INT32 value, half an INT64). */
export function int32LE(bytes: Uint8Array, o: number): number {
  return bytes[o] | bytes[o + 1] << 8 | bytes[o + 2] << 16 | bytes[o + 3] << 24;
}
