// This module is browser compatible.

/**
 * The `bigint` kind (int8): Parquet INT64; rows carry `bigint`.
 *
 * @module
 */

import { canonical, type Column, column, same, type ScalarKind, scalarKind } from "./kind.ts";
import { swapped } from "./plain_bytes.ts";
import { describe } from "../values.ts";

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/**
 * A `bigint` (int8) column: stored as INT64; rows carry `bigint` (a safe integer or digit string is
 * accepted and converted).
 *
 * @example
 * ```ts
 * import { bigint } from "@parquet-storage/engine";
 * console.assert(bigint().pgType === "bigint");
 * ```
 */
export function bigint(): Column<bigint> {
  return column({ kind: "bigint", nullable: false }, "bigint", canonical("bigint", canonicalBigint));
}

function canonicalBigint(value: unknown): bigint | { reason: string } {
  let result: bigint | undefined;
  if (typeof value === "bigint") result = value;
  else if (typeof value === "number" && Number.isSafeInteger(value)) result = BigInt(value);
  else if (typeof value === "string" && /^[+-]?\d+$/.test(value.trim())) result = BigInt(value.trim());
  if (result === undefined) return { reason: `expected a 64-bit integer, received ${describe(value)}` };
  if (result < INT64_MIN || result > INT64_MAX) {
    return { reason: `${value} is outside the 64-bit integer range` };
  }
  return result;
}

/** The `bigint` kind. */
export const bigintKind: ScalarKind = scalarKind({
  fromSpec: bigint,
  physical: () => ({ type: "INT64" }),
  toParquet: () => same,
  // The connection parses a scalar int8 to bigint already; array elements come as text.
  fromPostgres: () => (value) => BigInt(value as string),
  readArrayAsText: true,
  copy: { field: (_spec, _element, sink) => (b, at) => swapped(sink, b, at, 8) },
});
