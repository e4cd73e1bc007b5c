// This module is browser compatible.

/**
 * The `uuid` kind: Parquet UUID (FIXED_LEN_BYTE_ARRAY(16)); rows carry lowercase, dashed text.
 *
 * @module
 */

import { canonical, type Column, column, orThrow, type ScalarKind, scalarKind } from "./kind.ts";
import { describe } from "../values.ts";

// Hex digit values by UTF-16 code unit (either case); 0x10 marks one that is not a hex digit.
const HEX = new Uint8Array(65536).fill(0x10);
for (let i = 0; i < 16; i++) {
  HEX["0123456789abcdef".charCodeAt(i)] = HEX["0123456789ABCDEF".charCodeAt(i)] = i;
}

const LOWER_HEX = new Uint8Array(65536);
for (let i = 0; i < 16; i++) LOWER_HEX["0123456789abcdef".charCodeAt(i)] = 1;

const UUID = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;

/**
 * A `uuid` column: stored as Parquet UUID (16 bytes); rows carry lowercase, dashed text.
 *
 * @example
 * ```ts
 * import { uuid } from "@parquet-storage/engine";
 * const id = uuid();
 * console.assert(id.pgType === "uuid");
 * ```
 */
export function uuid(): Column<string> {
  return column({ kind: "uuid", nullable: false }, "uuid", canonical("uuid", canonicalUuid));
}

function canonicalUuid(value: unknown): string | { reason: string } {
  if (typeof value === "string" && isCanonicalUuid(value)) return value;
  if (typeof value !== "string" || !UUID.test(value)) {
    return { reason: `expected a UUID, received ${describe(value)}` };
  }
  const hex = value.replaceAll("-", "").toLowerCase();
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** Whether `text` is a lowercase, dashed UUID already (the common case, checked without a regex). */
function isCanonicalUuid(text: string): boolean {
  if (text.length !== 36) return false;
  for (let c = 0; c < 36; c++) {
    const code = text.charCodeAt(c);
    if (c === 8 || c === 13 || c === 18 || c === 23 ? code !== 45 : LOWER_HEX[code] !== 1) return false;
  }
  return true;
}

/** The `uuid` kind. */
export const uuidKind: ScalarKind = scalarKind({
  fromSpec: uuid,
  physical: () => ({ type: "FIXED_LEN_BYTE_ARRAY", type_length: 16, logical_type: { type: "UUID" } }),
  toParquet: () => (value) => value,
  row: (_spec, _element, sink) => {
    const exact = orThrow(canonicalUuid);
    return (value) => {
      const dashed = typeof value === "string" && value.length === 36 && value.charCodeAt(8) === 45 &&
        value.charCodeAt(13) === 45 && value.charCodeAt(18) === 45 && value.charCodeAt(23) === 45;
      const text = dashed ? value : exact(value);
      const d = sink.reserve(16), o = sink.length;
      let bad = 0;
      for (let i = 0, c = 0; i < 16; i++, c += 2) {
        if (c === 8 || c === 13 || c === 18 || c === 23) c++; // the dashes
        const hi = HEX[text.charCodeAt(c)], lo = HEX[text.charCodeAt(c + 1)];
        bad |= hi | lo;
        d[o + i] = hi << 4 | lo;
      }
      if (bad & 0x10) exact(value); // not hex: refused with the kind's reason
      sink.commit();
    };
  },
  copy: {
    field: (_spec, _element, sink) => (b, at) => {
      const d = sink.reserve(16), o = sink.length;
      for (let i = 0; i < 16; i++) d[o + i] = b[at + i];
      sink.commit();
    },
  },
  size: () => () => 52,
});
