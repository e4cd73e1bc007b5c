// This module is browser compatible.

/**
 * PostgreSQL's binary COPY format split into tuples and fields, each field handed to its column's
 * writer (its kind's `copy.field`, in src/schema/kinds/), which puts Parquet's bytes for it into a column buffer: no row objects, no
 * canonical strings, no per-value validation. Hand-written because no maintained library decodes
 * COPY binary, and because the speed of the export hangs on this loop.
 *
 * The query casts every column to the type its definition declares, so PostgreSQL itself guarantees
 * that the bytes have the layout decoded here (and refuses values that do not fit, such as a numeric
 * too wide for its precision); only NOT NULL and the special values PostgreSQL has and Parquet does not
 * (numeric NaN, infinite dates and timestamps) are checked per value.
 *
 * @module
 */

import type { SchemaElement } from "hyparquet";
import { ColumnBuffer, columnShape } from "../parquet/column_buffer.ts";
import { ValidationError } from "../errors.ts";
import type { FieldWriter, FileFacts, Kind } from "../schema/kinds/kind.ts";
import { kindOf } from "../schema/kinds/registry.ts";
import { qualifiedName, quoteIdent } from "./read_sql.ts";
import type { TableDefinition } from "../schema/table.ts";

const SIGNATURE = [0x50, 0x47, 0x43, 0x4f, 0x50, 0x59, 0x0a, 0xff, 0x0d, 0x0a, 0x00]; // PGCOPY\n\377\r\n\0

/**
 * Whether every column of `table` can be read through binary COPY (arrays and points cannot yet).
 *
 * @example
 * ```ts
 * import { defineTable, geographyPoint, int, text } from "@parquet-storage/engine";
 * import { copyBinarySupports } from "@parquet-storage/engine/postgres";
 * console.assert(copyBinarySupports(defineTable("t", { id: int(), name: text() })));
 * console.assert(!copyBinarySupports(defineTable("t", { id: int(), at: geographyPoint() })));
 * ```
 */
export function copyBinarySupports(table: TableDefinition): boolean {
  return Object.values(table.columns).every(({ spec }) => kindOf(spec).copy !== undefined);
}

/**
 * The `COPY (SELECT …) TO STDOUT (FORMAT binary)` statement for a table, each column cast to the type
 * its definition declares (enums and unconstrained numerics as text, the latter without trailing
 * zeros).
 *
 * @example
 * ```ts
 * import { defineTable, int, numeric } from "@parquet-storage/engine";
 * import { copyBinaryStatement } from "@parquet-storage/engine/postgres";
 * const sql = copyBinaryStatement(defineTable("t", { id: int(), depth: numeric(8, 2) }), "public", "t");
 * console.assert(sql === `COPY (SELECT "id"::integer, "depth"::numeric(8,2) FROM "public"."t") TO STDOUT (FORMAT binary)`);
 * ```
 */
export function copyBinaryStatement(table: TableDefinition, pgSchema: string, pgTable: string): string {
  const list = Object.entries(table.columns).map(([name, { spec, pgType, readFrom }]) => {
    const col = readFrom ?? quoteIdent(name);
    return kindOf(spec).copy?.select?.(col, spec, pgType) ?? `${col}::${pgType}`;
  });
  return `COPY (SELECT ${list.join(", ")} FROM ${qualifiedName(pgSchema, pgTable)}) ` +
    `TO STDOUT (FORMAT binary)`;
}

/**
 * Decodes a COPY binary stream, chunk by chunk, into one column buffer per column (the row group being
 * built). `elements` are the table's Parquet schema elements, one per column, in order.
 */
export class CopyBinaryDecoder {
  /** Rows decoded so far, over all row groups. */
  rows = 0;
  /** Rows in the buffers now. */
  buffered = 0;
  /** Whether the trailer was seen. */
  done = false;
  /** The row group being built, one buffer per column. */
  readonly buffers: ColumnBuffer[];
  /** What the values decoded so far add up to (geometry extents), for the file's footer. */
  readonly facts: FileFacts = { geometries: new Map() };
  #names: string[];
  #nullable: boolean[];
  #writers: FieldWriter[];
  #bytes: Uint8Array = new Uint8Array(0);
  #at = 0;
  #headerRead = false;
  #table: string;

  constructor(table: TableDefinition, elements: SchemaElement[]) {
    this.#table = table.name;
    const specs = Object.entries(table.columns).map(([name, { spec }]) => ({ name, spec }));
    this.#names = specs.map((c) => c.name);
    this.#nullable = specs.map((c) => c.spec.nullable);
    this.buffers = specs.map((c, i) => new ColumnBuffer(columnShape(elements[i], c.spec.nullable)));
    this.#writers = specs.map(({ name, spec }, i) =>
      copyField(spec, elements[i], this.buffers[i], (reason) => this.#refuse(name, reason), this.facts)
    );
  }

  /** Adds a chunk of the stream; `decode` reads it. */
  push(chunk: Uint8Array): void {
    const rest = this.#bytes.length - this.#at;
    if (!rest) this.#bytes = chunk;
    else {
      // A tuple cut at the end of the last chunk: join its start to this chunk.
      const joined = new Uint8Array(rest + chunk.length);
      joined.set(this.#bytes.subarray(this.#at));
      joined.set(chunk, rest);
      this.#bytes = joined;
    }
    this.#at = 0;
  }

  /** Starts a new row group: the buffers are empty again (and their memory reused). */
  reset(): void {
    for (const buffer of this.buffers) buffer.reset();
    this.buffered = 0;
  }

  /**
   * Decodes whole tuples from what was pushed, until `limit` rows are buffered (true) or the bytes run
   * out (false); a tuple cut at the end of a chunk waits for the next one.
   */
  decode(limit: number): boolean {
    const bytes = this.#bytes, end = bytes.length;
    let at = this.#at;
    if (!this.#headerRead) {
      if (end - at < 19) return false;
      if (SIGNATURE.some((b, i) => bytes[at + i] !== b)) {
        throw new ValidationError("expected PostgreSQL's binary COPY signature", { table: this.#table });
      }
      at += 19 + int32(bytes, at + 15);
      this.#headerRead = true;
    }
    const fields = this.#names.length, writers = this.#writers;
    while (this.buffered < limit && !this.done && at + 2 <= end) {
      const count = (bytes[at] << 8 | bytes[at + 1]) << 16 >> 16;
      if (count === -1) {
        this.done = true;
        at += 2;
        break;
      }
      if (count !== fields) {
        throw new ValidationError(`expected ${fields} columns in a COPY tuple, received ${count}`, {
          table: this.#table,
          row: this.rows + 1,
        });
      }
      // Find the tuple's end first, so a tuple split across chunks is decoded only once it is whole.
      let p = at + 2;
      for (let f = 0; f < fields && p <= end; f++) {
        const length = p + 4 <= end ? int32(bytes, p) : 0;
        if (length < -1) {
          throw new ValidationError(`a COPY field of length ${length}: the stream is corrupt`, {
            table: this.#table,
            row: this.rows + 1,
            column: this.#names[f],
          });
        }
        p += 4 + (length > 0 ? length : 0);
      }
      if (p > end) break;
      p = at + 2;
      for (let f = 0; f < fields; f++) {
        const length = int32(bytes, p);
        p += 4;
        if (length === -1) {
          if (!this.#nullable[f]) this.#refuse(this.#names[f], "null in a column that is not nullable");
          this.buffers[f].addNull();
        } else {
          writers[f](bytes, p, length);
          p += length;
        }
      }
      this.rows++;
      this.buffered++;
      at = p;
    }
    this.#at = at;
    return this.buffered >= limit;
  }

  #refuse(column: string, reason: string): never {
    throw new ValidationError(reason, { table: this.#table, row: this.rows + 1, column });
  }
}

function int32(b: Uint8Array, at: number): number {
  return b[at] << 24 | b[at + 1] << 16 | b[at + 2] << 8 | b[at + 3];
}

function copyField(...[spec, ...rest]: Parameters<NonNullable<Kind["copy"]>["field"]>): FieldWriter {
  const copy = kindOf(spec).copy;
  if (!copy) throw new Error(`unreachable: ${spec.kind} is not read through binary COPY`);
  return copy.field(spec, ...rest);
}
