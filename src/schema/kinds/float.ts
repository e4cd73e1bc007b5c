// This module is browser compatible.

/**
 * The `float` kind (double precision, float8): Parquet DOUBLE.
 *
 * @module
 */

import * as v from "valibot";
import {
  type Column,
  column,
  number,
  same,
  type ScalarKind,
  scalarKind,
  withCheck,
  wrongType,
} from "./kind.ts";
import { float64, swapped } from "./plain_bytes.ts";

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
  return column({ kind: "float", nullable: false }, "double precision", withCheck(v.number(), number));
}

/** The `float` kind. */
export const floatKind: ScalarKind = scalarKind({
  fromSpec: float,
  physical: () => ({ type: "DOUBLE" }),
  toParquet: () => same,
  row: (_spec, _element, sink) => (value) => {
    if (typeof value !== "number") throw wrongType("a number", value);
    float64(sink, value);
  },
  copy: { field: (_spec, _element, sink) => (b, at) => swapped(sink, b, at, 8) },
});
