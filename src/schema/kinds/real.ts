// This module is browser compatible.

/**
 * The `real` kind (float4): Parquet FLOAT.
 *
 * @module
 */

import * as v from "valibot";
import { type Column, column, same, type ScalarKind, scalarKind } from "./kind.ts";
import { anyNumber } from "./float.ts";
import { swapped } from "./plain_bytes.ts";

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
  return column(
    { kind: "real", nullable: false },
    "real",
    v.pipe(
      anyNumber,
      // FLOAT would turn it into ±Infinity, silently; PostgreSQL refuses it too ("value out of range").
      v.check(
        (value) => !Number.isFinite(value) || Number.isFinite(Math.fround(value)),
        (issue) => `${issue.input} is out of range for real (float4): at most ±3.4028235e38`,
      ),
    ),
  );
}

/** The `real` kind. */
export const realKind: ScalarKind = scalarKind({
  fromSpec: real,
  physical: () => ({ type: "FLOAT" }),
  toParquet: () => same,
  copy: { field: (_spec, _element, sink) => (b, at) => swapped(sink, b, at, 4) },
});
