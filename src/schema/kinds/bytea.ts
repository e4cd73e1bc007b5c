// This module is browser compatible.

/**
 * The `bytea` kind: Parquet BYTE_ARRAY with no annotation (readers see bytes: DuckDB a BLOB); rows carry
 * a `Uint8Array`.
 *
 * @module
 */

import {
  canonical,
  type Canonicalise,
  type Column,
  column,
  orThrow,
  type ScalarKind,
  scalarKind,
} from "./kind.ts";
import { describe } from "../values.ts";

const HEX = /^\\x(?:[0-9a-fA-F]{2})*$/;

/** A plain `Uint8Array` (a Node `Buffer` or a subclass is viewed as one), or PostgreSQL's hex text decoded. */
const canonicalBytes: Canonicalise<Uint8Array> = (value) => {
  if (value instanceof Uint8Array) {
    return value.constructor === Uint8Array
      ? value
      : new Uint8Array(value.buffer, value.byteOffset, value.length);
  }
  if (typeof value === "string" && HEX.test(value)) {
    const bytes = new Uint8Array((value.length - 2) / 2);
    for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(value.slice(2 + 2 * i, 4 + 2 * i), 16);
    return bytes;
  }
  return { reason: `expected a Uint8Array (or \\x hex text), received ${describe(value)}` };
};

/**
 * A `bytea` column: stored as Parquet BYTE_ARRAY with no string annotation (DuckDB reads a BLOB); rows
 * carry a `Uint8Array` (PostgreSQL's `\x…` hex text is accepted too).
 *
 * @example
 * ```ts
 * import { bytea } from "@parquet-storage/engine";
 * import * as v from "valibot";
 * console.assert(v.parse(bytea().schema, "\\x00ff").join() === "0,255");
 * ```
 */
export function bytea(): Column<Uint8Array> {
  return column({ kind: "bytea", nullable: false }, "bytea", canonical("bytea", canonicalBytes));
}

/** The `bytea` kind. */
export const byteaKind: ScalarKind = scalarKind({
  fromSpec: bytea,
  physical: () => ({ type: "BYTE_ARRAY" }),
  toParquet: () => (value) => value,
  row: (_spec, _element, sink) => {
    const exact = orThrow(canonicalBytes);
    return (value) => {
      const bytes = value instanceof Uint8Array ? value : exact(value);
      sink.addBytes(bytes, 0, bytes.length);
    };
  },
  // postgres.js gives a Buffer: a plain Uint8Array over the same bytes, as rows carry it.
  fromPostgres: () => orThrow(canonicalBytes),
  copy: { field: (_spec, _element, sink) => (b, at, n) => sink.addBytes(b, at, n) },
  size: () => (value) => ((value as Uint8Array | null)?.length ?? 0) + 16,
});
