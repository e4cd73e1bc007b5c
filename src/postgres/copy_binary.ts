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
import { quoteIdent } from "../schema/introspect.ts";
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
  return `COPY (SELECT ${list.join(", ")} FROM ${quoteIdent(pgSchema)}.${quoteIdent(pgTable)}) ` +
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

/** Decodes a COPY binary stream, chunk by chunk, into column arrays of at most one row group. */
export class CopyBinaryDecoder {
  /** Rows decoded so far, over all batches. */
  rows = 0;
  /** Whether the trailer was seen. */
  done = false;
  #names: string[];
  #nullable: boolean[];
  #decoders: Decode[];
  #columns: unknown[][];
  #pending: Uint8Array | undefined;
  #headerRead = false;
  #table: string;
  #text = new TextDecoder("utf-8", { fatal: true });

  constructor(table: TableDefinition) {
    this.#table = table.name;
    const entries = Object.entries(table.columns);
    this.#names = entries.map(([name]) => name);
    this.#nullable = entries.map(([, { spec }]) => spec.nullable);
    this.#decoders = entries.map(([name, { spec }]) => this.#decoder(name, spec));
    this.#columns = entries.map(() => []);
  }

  /** Rows decoded and not yet taken. */
  get buffered(): number {
    return this.#columns[0]?.length ?? 0;
  }

  /** Hands over the decoded columns, by Parquet column name, and starts a new batch. */
  take(): { name: string; data: unknown[] }[] {
    const out = this.#names.map((name, i) => ({ name, data: this.#columns[i] }));
    this.#columns = this.#names.map(() => []);
    return out;
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
          this.#columns[f].push(null);
        } else {
          this.#columns[f].push(this.#decoders[f](bytes, p, length));
          p += length;
        }
      }
      this.rows = row;
      at = p;
    }
    if (at < end) this.#pending = bytes.slice(at);
  }

  #refuse(column: string, reason: string): never {
    throw new ValidationError(reason, { table: this.#table, row: this.rows + 1, column });
  }

  #decoder(column: string, spec: ColumnSpec): Decode {
    const text = this.#text;
    switch (spec.kind) {
      case "uuid":
        return (b, at) => b.slice(at, at + 16);
      case "text":
      case "enum":
        return (b, at, n) => text.decode(b.subarray(at, at + n));
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
          // Microseconds since 2000 fit a double exactly (±285,000 years), so one BigInt per value.
          const micros = high * 4294967296 + low + PG_EPOCH_MICROS;
          return BigInt(millis ? Math.floor(micros / 1000) : micros);
        };
      }
      case "jsonb":
        // Version byte, then jsonb's text; its spaces after ':' and ',' are dropped to store what
        // JSON.stringify would (the row path's bytes).
        return (b, at, n) => compactJson(b.subarray(at + 1, at + n));
      case "numeric":
        if (spec.precision === undefined) return (b, at, n) => text.decode(b.subarray(at, at + n));
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

/** JSON text without the spaces outside strings, copied out of the COPY buffer. */
function compactJson(json: Uint8Array): Uint8Array {
  const out = new Uint8Array(json.length);
  let n = 0, inString = false;
  for (let i = 0; i < json.length; i++) {
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
  return out.subarray(0, n);
}
