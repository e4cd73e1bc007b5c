// This module is browser compatible.

/**
 * The watermark of an incremental COPY taken from the COPY itself: the field bytes of the last tuple's
 * watermark and key columns, kept as the decoder passes them (the rows come in watermark and key order,
 * so the last tuple holds the largest), decoded here into the canonical text the row door records. A
 * value this module has no exact decoding for (a NULL, a kind or type not listed, a year outside
 * 1–9999) gives no row, and the caller reads the last row with a query instead, as before.
 *
 * @module
 */

import type { Row, TableDefinition } from "../schema/table.ts";
import type { ColumnSpec } from "../schema/kinds/kind.ts";
import { normalizeDecimalText } from "../schema/values.ts";
import type { Since } from "./table_source.ts";

const PG_EPOCH_MS = 946_684_800_000;
const TEXT_TYPES = new Set(["text", "character varying", "varchar", "citext", "name"]);

/**
 * Keeps the last tuple's watermark and key fields of a COPY (`copyBinaryStatement(table, …, since)`),
 * and gives them as a row of canonical text values.
 *
 * @example
 * ```ts
 * import { defineTable, int, timestamptz } from "@parquet-storage/engine";
 * import { LastTuple } from "./copy_last_tuple.ts";
 * const table = defineTable("t", { id: int(), at: timestamptz() }, { primaryKey: ["id"] });
 * const last = new LastTuple(table, { column: "at", value: null, key: null });
 * console.assert(last.row() === undefined); // no tuple seen yet
 * ```
 */
export class LastTuple {
  /** Indices of the kept fields among the COPY's. */
  readonly fields: number[];
  /** The kept fields' bytes of the last tuple seen (null for NULL), or undefined before the first. */
  values: (Uint8Array | null)[] | undefined;
  #names: string[];
  #decoders: ((b: Uint8Array) => string | undefined)[] | undefined;

  /** Keeps the watermark column of `since` and `table`'s primary key. */
  constructor(table: TableDefinition, since: Since) {
    const columns = Object.keys(table.columns);
    this.#names = [since.column, ...table.primaryKey.filter((k) => k !== since.column)];
    this.fields = this.#names.map((name) => columns.indexOf(name));
    const decoders = this.#names.map((name) =>
      decoderOf(table.columns[name]?.spec, table.columns[name]?.pgType)
    );
    this.#decoders = decoders.every((d) => d !== undefined) ? decoders as never : undefined;
  }

  /** Records the kept fields of the tuple whose fields `starts`/`lengths` locate in `bytes`. */
  keep(bytes: Uint8Array, starts: Int32Array, lengths: Int32Array): void {
    this.values = this.fields.map((f) =>
      lengths[f] === -1 ? null : bytes.slice(starts[f], starts[f] + lengths[f])
    );
  }

  /** The last tuple's watermark and key as canonical text, or undefined (none seen, or not decodable). */
  row(): Row | undefined {
    if (!this.values || !this.#decoders) return undefined;
    const row: Row = {};
    for (let i = 0; i < this.#names.length; i++) {
      const bytes = this.values[i];
      const text = bytes && this.#decoders[i](bytes);
      if (text === undefined || text === null) return undefined;
      row[this.#names[i]] = text;
    }
    return row;
  }
}

function view(b: Uint8Array): DataView {
  return new DataView(b.buffer, b.byteOffset, b.byteLength);
}

/** The decoder of a field of `spec` to the text `String(canonical value)` gives, if it is exact. */
function decoderOf(
  spec: ColumnSpec | undefined,
  pgType: string | undefined,
): ((b: Uint8Array) => string | undefined) | undefined {
  switch (spec?.kind) {
    case "smallint":
      return (b) => String(view(b).getInt16(0));
    case "int":
      return (b) => String(view(b).getInt32(0));
    case "bigint":
      return (b) => String(view(b).getBigInt64(0));
    case "uuid":
      return (b) => {
        const hex = [...b].map((x) => x.toString(16).padStart(2, "0")).join("");
        return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${
          hex.slice(20)
        }`;
      };
    case "text":
      return pgType && TEXT_TYPES.has(pgType) ? (b) => new TextDecoder().decode(b) : undefined;
    case "date":
      return (b) => isoDay(view(b).getInt32(0));
    case "timestamp":
    case "timestamptz": {
      const digits = spec.unit === "millis" ? 3 : 6, zone = spec.kind === "timestamptz" ? "Z" : "";
      return (b) => isoTime(view(b).getBigInt64(0), digits, zone);
    }
    case "numeric":
      return spec.precision === undefined
        ? (b) => normalizeDecimalText(new TextDecoder().decode(b)) // copied as text (trim_scale)
        : numericText;
  }
  return undefined;
}

function isoDay(days: number): string | undefined {
  const iso = new Date(PG_EPOCH_MS + days * 86_400_000).toISOString();
  return /^\d{4}-/.test(iso) && !iso.startsWith("0000") ? iso.slice(0, 10) : undefined;
}

function isoTime(pgMicros: bigint, digits: number, zone: string): string | undefined {
  const micros = pgMicros + BigInt(PG_EPOCH_MS) * 1000n;
  const ms = micros / 1000n - (micros % 1000n < 0n ? 1n : 0n);
  const sub = Number(micros - ms * 1000n);
  const date = new Date(Number(ms));
  if (isNaN(date.getTime())) return undefined;
  const iso = date.toISOString(); // YYYY-MM-DDTHH:MM:SS.mmmZ
  if (!/^\d{4}-/.test(iso) || iso.startsWith("0000")) return undefined;
  const fraction = (iso.slice(20, 23) + String(sub).padStart(3, "0")).slice(0, digits);
  return `${iso.slice(0, 19)}.${fraction}${zone}`;
}

/** PostgreSQL's text of a binary numeric: its digits, `dscale` fraction digits (NaN, ±Infinity: none). */
function numericText(b: Uint8Array): string | undefined {
  const v = view(b);
  const ndigits = v.getInt16(0), weight = v.getInt16(2), sign = v.getUint16(4), dscale = v.getInt16(6);
  if (sign !== 0 && sign !== 0x4000) return undefined;
  const digit = (i: number) => (i >= 0 && i < ndigits ? v.getInt16(8 + 2 * i) : 0);
  let whole = "";
  for (let i = 0; i <= weight; i++) whole += i === 0 ? String(digit(i)) : String(digit(i)).padStart(4, "0");
  if (!whole) whole = "0";
  let fraction = "";
  for (let i = weight + 1; fraction.length < dscale; i++) fraction += String(digit(i)).padStart(4, "0");
  const text = dscale > 0 ? `${whole}.${fraction.slice(0, dscale)}` : whole;
  return sign === 0x4000 ? `-${text}` : text;
}
