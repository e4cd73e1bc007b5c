// This module is browser compatible.

/**
 * The `float` kind (double precision, float8): Parquet DOUBLE.
 *
 * @module
 */

import type * as v from "valibot";
import { describe } from "../values.ts";
import { canonical, type Column, column, same, type ScalarKind, scalarKind } from "./kind.ts";
import { swapped } from "./plain_bytes.ts";

/**
 * A `double precision` (float8) column: stored as DOUBLE.
 *
 * @example
 * ```ts
 * import { float } from "@parquet-storage/engine";
 * console.assert(float().pgType === "double precision");
 * ```
 */
export function float(): Column<number> {
  return column({ kind: "float", nullable: false }, "double precision", anyNumber);
}

/**
 * A float's value: any number, NaN and ±Infinity included. PostgreSQL's float8 and float4 hold them,
 * and Parquet's DOUBLE and FLOAT (IEEE 754) store them, so rows take what binary COPY takes (statistics
 * leave NaN out, as Parquet requires).
 */
export const anyNumber: v.GenericSchema<unknown, number> = canonical(
  "number",
  (value) =>
    typeof value === "number"
      ? value
      : { reason: `Invalid type: Expected number but received ${describe(value)}` },
);

/** The `float` kind. */
export const floatKind: ScalarKind = scalarKind({
  fromSpec: float,
  physical: () => ({ type: "DOUBLE" }),
  toParquet: () => same,
  copy: { field: (_spec, _element, sink) => (b, at) => swapped(sink, b, at, 8) },
});
