// This module is browser compatible.

/**
 * PostgreSQL's binary COPY format decoded straight into Parquet column arrays: no row objects, no
 * canonical strings, no per-value validation. Hand-written because no maintained library decodes
 * COPY binary, and because the speed of the export hangs on this loop.
 *
 * The query casts every column to the type its definition declares, so PostgreSQL itself guarantees
 * that the bytes have the layout decoded here (and refuses values that do not fit, such as a numeric
 * too wide for its precision); only NOT NULL and the special values PostgreSQL has and Parquet does not
 * (numeric NaN, infinite dates and timestamps) are checked per value.
 *
 * Values come out physical, as Parquet stores them (days, micro- or milliseconds, unscaled decimals,
 * 16 uuid bytes, JSON text bytes), so they go to hyparquet-writer with the logical annotations taken
 * off the schema ({@link physicalSchema}) and are put back on for the footer.
 *
 * @module
 */

import type { SchemaElement } from "hyparquet";
import { ValidationError } from "../errors.ts";
import type { ColumnSpec } from "../schema/columns.ts";
import { qualifiedName, quoteIdent } from "../schema/read_sql.ts";
import type { TableDefinition } from "../schema/table.ts";

const SIGNATURE = [0x50, 0x47, 0x43, 0x4f, 0x50, 0x59, 0x0a, 0xff, 0x0d, 0x0a, 0x00]; // PGCOPY\n\377\r\n\0
const PG_EPOCH_DAYS = 10_957; // 2000-01-01 − 1970-01-01
const PG_EPOCH_MICROS = 946_684_800_000_000;
const DIRECT = new Set(["uuid", "text", "enum", "smallint", "int", "bigint", "real", "float", "boolean"]);
const SUPPORTED = new Set([...DIRECT, "date", "timestamp", "timestamptz", "jsonb", "numeric"]);

/** Whether every column of `table` can be read through binary COPY (arrays and points cannot yet). */
export function copyBinarySupports(table: TableDefinition): boolean {
  return Object.values(table.columns).every(({ spec }) => SUPPORTED.has(spec.kind));
}

/**
 * The `COPY (SELECT …) TO STDOUT (FORMAT binary)` statement for a table, each column cast to the type
 * its definition declares (enums and unconstrained numerics as text).
 */
export function copyBinaryStatement(table: TableDefinition, pgSchema: string, pgTable: string): string {
  const list = Object.entries(table.columns).map(([name, { spec, pgType }]) => {
    const col = quoteIdent(name);
    const type = spec.kind === "enum" || (spec.kind === "numeric" && spec.precision === undefined)
      ? "text"
      : pgType;
    return `${col}::${type}`;
  });
  return `COPY (SELECT ${list.join(", ")} FROM ${qualifiedName(pgSchema, pgTable)}) ` +
    `TO STDOUT (FORMAT binary)`;
}

/** The schema hyparquet-writer is given while writing physical values: DECIMAL, DATE, TIMESTAMP, JSON, UUID unannotated. */
export function physicalSchema(schema: SchemaElement[]): SchemaElement[] {
  return schema.map((element) => {
    const bare = element.converted_type === "DECIMAL"
      ? element.type !== "FIXED_LEN_BYTE_ARRAY"
      : element.converted_type === "DATE" || element.converted_type === "JSON" ||
        element.logical_type?.type === "TIMESTAMP" || element.logical_type?.type === "UUID";
    if (!bare) return element;
    const { converted_type: _c, logical_type: _l, precision: _p, scale: _s, ...physical } = element;
    return physical;
  });
}

type Decode = (bytes: Uint8Array, at: number, length: number) => unknown;
type TypedConstructor = new (length: number) => Int32Array | Float32Array | Float64Array | BigInt64Array;
type Column = unknown[] | Int32Array | Float32Array | Float64Array | BigInt64Array;

const ARENA_BYTES = 4 * 1024 * 1024;
const TYPED: Record<string, TypedConstructor | undefined> = {
  smallint: Int32Array,
  int: Int32Array,
  date: Int32Array,
  real: Float32Array,
  float: Float64Array,
  bigint: BigInt64Array,
  timestamp: BigInt64Array,
  timestamptz: BigInt64Array,
};

/** Decodes a COPY binary stream, chunk by chunk, into column arrays of at most one row group. */
export class CopyBinaryDecoder {
  /** Rows decoded so far, over all batches. */
  rows = 0;
  /** Whether the trailer was seen. */
  done = false;
  #names: string[];
  #nullable: boolean[];
  #decoders: Decode[];
  // Required fixed-width columns fill typed arrays; the rest plain arrays (which can hold null).
  #makers: (() => Column)[];
  #columns: Column[];
  #count = 0;
  #capacity: number;
  #pending: Uint8Array | undefined;
  #headerRead = false;
  #table: string;
  #arena = new Uint8Array(0);
  #arenaAt = 0;

  /** `capacity` is the expected rows per batch (the row group size); a batch may grow past it. */
  constructor(table: TableDefinition, capacity = 100_000) {
    this.#table = table.name;
    this.#capacity = capacity;
    const entries = Object.entries(table.columns);
    this.#names = entries.map(([name]) => name);
    this.#nullable = entries.map(([, { spec }]) => spec.nullable);
    this.#decoders = entries.map(([name, { spec }]) => this.#decoder(name, spec));
    this.#makers = entries.map(([, { spec }]) => {
      const smallDecimal = spec.kind === "numeric" && spec.precision !== undefined && spec.precision <= 9;
      const Typed = spec.nullable ? undefined : smallDecimal ? Int32Array : TYPED[spec.kind];
      return Typed ? () => new Typed(this.#capacity) : () => [];
    });
    this.#columns = this.#makers.map((make) => make());
  }

  /** Rows decoded and not yet taken. */
  get buffered(): number {
    return this.#count;
  }

  /** Hands over the decoded columns, by Parquet column name, and starts a new batch. */
  take(): { name: string; data: Column }[] {
    const count = this.#count;
    const out = this.#names.map((name, i) => {
      const data = this.#columns[i];
      return { name, data: Array.isArray(data) ? data : data.subarray(0, count) };
    });
    this.#columns = this.#makers.map((make) => make());
    this.#count = 0;
    return out;
  }

  /** Copies `n` bytes out of the COPY buffer into the current arena, as a view (one object, no buffer). */
  #copyOut(b: Uint8Array, at: number, n: number): Uint8Array {
    if (this.#arenaAt + n > this.#arena.length) {
      this.#arena = new Uint8Array(Math.max(ARENA_BYTES, n));
      this.#arenaAt = 0;
    }
    const start = this.#arenaAt;
    this.#arena.set(b.subarray(at, at + n), start);
    this.#arenaAt = start + n;
    return this.#arena.subarray(start, start + n);
  }

  #grow(): void {
    this.#capacity *= 2;
    this.#columns = this.#columns.map((column) => {
      if (Array.isArray(column)) return column;
      const grown = new (column.constructor as TypedConstructor)(this.#capacity);
      grown.set(column as never);
      return grown;
    });
  }

  /** Decodes every complete tuple in `chunk`; a tuple cut at the end waits for the next chunk. */
  push(chunk: Uint8Array): void {
    let bytes = chunk;
    if (this.#pending) {
      bytes = new Uint8Array(this.#pending.length + chunk.length);
      bytes.set(this.#pending);
      bytes.set(chunk, this.#pending.length);
      this.#pending = undefined;
    }
    let at = 0;
    if (!this.#headerRead) {
      if (bytes.length < 19) return void (this.#pending = bytes.slice());
      if (SIGNATURE.some((b, i) => bytes[i] !== b)) {
        throw new ValidationError("expected PostgreSQL's binary COPY signature", { table: this.#table });
      }
      at = 19 + int32(bytes, 15);
      this.#headerRead = true;
    }
    const fields = this.#names.length;
    const end = bytes.length;
    while (at + 2 <= end) {
      const count = (bytes[at] << 8 | bytes[at + 1]) << 16 >> 16;
      if (count === -1) {
        this.done = true;
        return;
      }
      if (count !== fields) {
        throw new ValidationError(`expected ${fields} columns in a COPY tuple, received ${count}`, {
          table: this.#table,
          row: this.rows + 1,
        });
      }
      // Find the tuple's end first, so a tuple split across chunks is decoded only once it is whole.
      let p = at + 2;
      let whole = true;
      for (let f = 0; f < fields; f++) {
        if (p + 4 > end) {
          whole = false;
          break;
        }
        const length = int32(bytes, p);
        p += 4 + (length > 0 ? length : 0);
      }
      if (!whole || p > end) break;
      p = at + 2;
      const row = this.rows + 1;
      const n = this.#count;
      if (n === this.#capacity) this.#grow();
      const columns = this.#columns;
      for (let f = 0; f < fields; f++) {
        const length = int32(bytes, p);
        p += 4;
        if (length === -1) {
          if (!this.#nullable[f]) {
            throw new ValidationError("null in a column that is not nullable", {
              table: this.#table,
              row,
              column: this.#names[f],
            });
          }
          columns[f][n] = null;
        } else {
          columns[f][n] = this.#decoders[f](bytes, p, length);
          p += length;
        }
      }
      this.rows = row;
      this.#count = n + 1;
      at = p;
    }
    if (at < end) this.#pending = bytes.slice(at);
  }

  /** JSON text without the spaces outside strings, copied into the arena. */
  #compactJson(json: Uint8Array, at: number, length: number): Uint8Array {
    if (this.#arenaAt + length > this.#arena.length) {
      this.#arena = new Uint8Array(Math.max(ARENA_BYTES, length));
      this.#arenaAt = 0;
    }
    const out = this.#arena, start = this.#arenaAt, end = at + length;
    let n = start, inString = false;
    for (let i = at; i < end; i++) {
      const c = json[i];
      if (inString) {
        out[n++] = c;
        if (c === 0x5c) out[n++] = json[++i]; // backslash: copy the escaped byte as is
        else if (c === 0x22) inString = false;
      } else if (c !== 0x20) {
        out[n++] = c;
        if (c === 0x22) inString = true;
      }
    }
    this.#arenaAt = n;
    return out.subarray(start, n);
  }

  #refuse(column: string, reason: string): never {
    throw new ValidationError(reason, { table: this.#table, row: this.rows + 1, column });
  }

  #decoder(column: string, spec: ColumnSpec): Decode {
    // Text stays UTF-8 bytes: hyparquet-writer writes bytes as they are, so decoding to a string only
    // to encode it again is skipped (PostgreSQL sends UTF-8, as postgres.js sets client_encoding).
    const bytes: Decode = (b, at, n) => this.#copyOut(b, at, n);
    switch (spec.kind) {
      case "uuid":
      case "text":
      case "enum":
        return bytes;
      case "smallint":
        return (b, at) => (b[at] << 8 | b[at + 1]) << 16 >> 16;
      case "int":
        return (b, at) => int32(b, at);
      case "bigint":
        return (b, at) => BigInt(int32(b, at)) << 32n | BigInt(int32(b, at + 4) >>> 0);
      case "real":
        return (b, at) => view(b).getFloat32(b.byteOffset + at);
      case "float":
        return (b, at) => view(b).getFloat64(b.byteOffset + at);
      case "boolean":
        return (b, at) => b[at] !== 0;
      case "date":
        return (b, at) => {
          const days = int32(b, at);
          if (days === 0x7fffffff || days === -0x80000000) {
            this.#refuse(column, "infinite dates have no Parquet value");
          }
          return days + PG_EPOCH_DAYS;
        };
      case "timestamp":
      case "timestamptz": {
        const millis = spec.unit === "millis";
        return (b, at) => {
          const high = int32(b, at), low = int32(b, at + 4) >>> 0;
          if ((high === 0x7fffffff && low === 0xffffffff) || (high === -0x80000000 && low === 0)) {
            this.#refuse(column, "infinite timestamps have no Parquet value");
          }
          // Within ±142 years of 2000 the microseconds fit a double exactly: one BigInt per value.
          if (high < 0x100000 && high >= -0x100000) {
            const micros = high * 4294967296 + low + PG_EPOCH_MICROS;
            return BigInt(millis ? Math.floor(micros / 1000) : micros);
          }
          const micros = (BigInt(high) << 32n | BigInt(low)) + BigInt(PG_EPOCH_MICROS);
          return millis ? (micros - ((micros % 1000n) + 1000n) % 1000n) / 1000n : micros;
        };
      }
      case "jsonb":
        // Version byte, then jsonb's text; its spaces after ':' and ',' are dropped to store what
        // JSON.stringify would (the row path's bytes).
        return (b, at, n) => this.#compactJson(b, at + 1, n - 1);
      case "numeric":
        if (spec.precision === undefined) return bytes;
        return numericDecoder(spec.precision, spec.scale ?? 0, (reason) => this.#refuse(column, reason));
      default:
        throw new Error(`unreachable: ${spec.kind} is not read through binary COPY`);
    }
  }
}

function int32(b: Uint8Array, at: number): number {
  return b[at] << 24 | b[at + 1] << 16 | b[at + 2] << 8 | b[at + 3];
}

const views = new WeakMap<ArrayBufferLike, DataView>();
/** A DataView of the whole buffer under `b`, made once per buffer; index it with `b.byteOffset + at`. */
function view(b: Uint8Array): DataView {
  let v = views.get(b.buffer);
  if (!v) views.set(b.buffer, v = new DataView(b.buffer));
  return v;
}

/** A numeric(p,s) as its unscaled integer: a number up to 9 digits, a bigint beyond. */
function numericDecoder(precision: number, scale: number, refuse: (reason: string) => never): Decode {
  const small = precision <= 9;
  return (b, at) => {
    const ndigits = b[at] << 8 | b[at + 1];
    const weight = (b[at + 2] << 8 | b[at + 3]) << 16 >> 16;
    const sign = b[at + 4] << 8 | b[at + 5];
    if (sign !== 0 && sign !== 0x4000) refuse("NaN and infinite numerics have no Parquet value");
    // The digits are base 10000, the first of weight `weight`; the cast to numeric(p,s) left none
    // beyond the scale, so the divisions below are exact.
    const exponent = 4 * (ndigits - 1 - weight); // decimal exponent of the last digit group
    if (small) {
      let acc = 0;
      for (let i = 0; i < ndigits; i++) acc = acc * 10000 + (b[at + 8 + 2 * i] << 8 | b[at + 9 + 2 * i]);
      const unscaled = exponent <= scale ? acc * 10 ** (scale - exponent) : acc / 10 ** (exponent - scale);
      return sign ? -unscaled : unscaled;
    }
    let acc = 0n;
    for (let i = 0; i < ndigits; i++) acc = acc * 10000n + BigInt(b[at + 8 + 2 * i] << 8 | b[at + 9 + 2 * i]);
    const unscaled = exponent <= scale
      ? acc * 10n ** BigInt(scale - exponent)
      : acc / 10n ** BigInt(exponent - scale);
    return sign ? -unscaled : unscaled;
  };
}
