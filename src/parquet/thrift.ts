// This module is browser compatible.

/**
 * Thrift's compact protocol, written with every field's type given by the caller, for the footer.
 * Hand-written because the footer must name an empty list's element type (a 0-row file's `row_groups`),
 * which a writer that guesses types from the values cannot do: hyparquet-writer writes type 0 there,
 * and arrow-rs refuses the file ("Expected list element type of Struct but got Byte").
 *
 * @module
 */

import type { ByteWriter } from "hyparquet-writer";

/** Compact protocol type ids (booleans are carried in the field header). */
export const T = { TRUE: 1, FALSE: 2, BYTE: 3, I32: 5, I64: 6, BINARY: 8, LIST: 9, STRUCT: 12 } as const;

/** The element type of a list: what its header names. */
export type ElementType = typeof T.I32 | typeof T.I64 | typeof T.BINARY | typeof T.STRUCT;

const encoder = new TextEncoder();

/** Writes one struct's fields in increasing id order; `end()` writes its stop byte. */
export class StructWriter {
  #out: ByteWriter;
  #last = 0;

  constructor(out: ByteWriter) {
    this.#out = out;
  }

  #field(id: number, type: number): void {
    const delta = id - this.#last;
    if (delta <= 0) throw new Error(`thrift field ${id} written after field ${this.#last}`);
    if (delta <= 15) this.#out.appendUint8(delta << 4 | type);
    else {
      this.#out.appendUint8(type);
      this.#out.appendZigZag(id);
    }
    this.#last = id;
  }

  /** An i8 field (skipped when undefined). */
  byte(id: number, value: number | undefined): this {
    if (value === undefined) return this;
    this.#field(id, T.BYTE);
    this.#out.appendUint8(value & 0xff);
    return this;
  }

  /** An i32 field (skipped when undefined). */
  i32(id: number, value: number | undefined): this {
    if (value === undefined) return this;
    this.#field(id, T.I32);
    this.#out.appendZigZag(value | 0);
    return this;
  }

  /** An i64 field (skipped when undefined). */
  i64(id: number, value: bigint | number | undefined): this {
    if (value === undefined) return this;
    this.#field(id, T.I64);
    this.#out.appendZigZag(BigInt(value));
    return this;
  }

  /** A bool field (skipped when undefined). */
  bool(id: number, value: boolean | undefined): this {
    if (value !== undefined) this.#field(id, value ? T.TRUE : T.FALSE);
    return this;
  }

  /** A binary or string field (skipped when undefined). */
  binary(id: number, value: Uint8Array | string | undefined): this {
    if (value === undefined) return this;
    this.#field(id, T.BINARY);
    writeBinary(this.#out, value);
    return this;
  }

  /** A struct field, its fields written by `write` (skipped when `write` is undefined). */
  struct(id: number, write: ((struct: StructWriter) => void) | undefined): this {
    if (!write) return this;
    this.#field(id, T.STRUCT);
    const inner = new StructWriter(this.#out);
    write(inner);
    inner.end();
    return this;
  }

  /** A list field of `type` elements, each written by `write` (skipped when `items` is undefined). */
  list<V>(
    id: number,
    type: ElementType,
    items: readonly V[] | undefined,
    write: (out: ByteWriter, item: V) => void,
  ): this {
    if (!items) return this;
    this.#field(id, T.LIST);
    const out = this.#out;
    if (items.length < 15) out.appendUint8(items.length << 4 | type);
    else {
      out.appendUint8(0xf0 | type);
      out.appendVarInt(items.length);
    }
    for (const item of items) write(out, item);
    return this;
  }

  /** The struct's stop byte. */
  end(): void {
    this.#out.appendUint8(0);
  }
}

/** Writes a struct as a list element (or a file's top-level struct). */
export function writeStruct(out: ByteWriter, write: (struct: StructWriter) => void): void {
  const struct = new StructWriter(out);
  write(struct);
  struct.end();
}

/** Writes a binary or string value: a varint length, then the bytes. */
export function writeBinary(out: ByteWriter, value: Uint8Array | string): void {
  const bytes = typeof value === "string" ? encoder.encode(value) : value;
  out.appendVarInt(bytes.length);
  out.appendBytes(bytes);
}

/** Writes an i32 list element. */
export function writeI32(out: ByteWriter, value: number): void {
  out.appendZigZag(value | 0);
}
