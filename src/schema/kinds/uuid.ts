// This module is browser compatible.

/**
 * The `uuid` kind: Parquet UUID (FIXED_LEN_BYTE_ARRAY(16)); rows carry lowercase, dashed text.
 *
 * @module
 */

import { canonical, type Column, column, type ScalarKind, scalarKind } from "./kind.ts";
import { describe } from "../values.ts";

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
  if (typeof value !== "string" || !UUID.test(value)) {
    return { reason: `expected a UUID, received ${describe(value)}` };
  }
  const hex = value.replaceAll("-", "").toLowerCase();
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** The `uuid` kind. */
export const uuidKind: ScalarKind = scalarKind({
  fromSpec: uuid,
  physical: () => ({ type: "FIXED_LEN_BYTE_ARRAY", type_length: 16, logical_type: { type: "UUID" } }),
  toParquet: () => (value) => value,
  copy: {
    field: (_spec, _element, sink) => (b, at) => {
      const d = sink.reserve(16), o = sink.length;
      for (let i = 0; i < 16; i++) d[o + i] = b[at + i];
      sink.commit();
    },
  },
  size: () => () => 52,
});
