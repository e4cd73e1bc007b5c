// This module is browser compatible.

/**
 * The `float` kind (double precision, float8): Parquet DOUBLE.
 *
 * @module
 */

import * as v from "valibot";
import { type Column, column, same, type ScalarKind, scalarKind } from "./kind.ts";
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
  return column({ kind: "float", nullable: false }, "double precision", v.number());
}

/** The `float` kind. */
export const floatKind: ScalarKind = scalarKind({
  fromSpec: float,
  physical: () => ({ type: "DOUBLE" }),
  toParquet: () => same,
  copy: { field: (_spec, _element, sink) => (b, at) => swapped(sink, b, at, 8) },
});
