// This module is browser compatible.

/**
 * The `real` kind (float4): Parquet FLOAT.
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
import { float32, swapped } from "./plain_bytes.ts";

/**
 * A `real` (float4) column: stored as FLOAT.
 *
 * @example
 * ```ts
 * import { real } from "@parquet-storage/engine";
 * console.assert(real().pgType === "real");
 * ```
 */
export function real(): Column<number> {
  return column({ kind: "real", nullable: false }, "real", withCheck(v.number(), number));
}

/** The `real` kind. */
export const realKind: ScalarKind = scalarKind({
  fromSpec: real,
  physical: () => ({ type: "FLOAT" }),
  toParquet: () => same,
  row: (_spec, _element, sink) => (value) => {
    if (typeof value !== "number") throw wrongType("a number", value);
    float32(sink, value);
  },
  copy: { field: (_spec, _element, sink) => (b, at) => swapped(sink, b, at, 4) },
});
