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
  REFUSED,
  same,
  type ScalarKind,
  scalarKind,
  withCheck,
  wrongType,
} from "./kind.ts";
import { anyNumber } from "./float.ts";
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
  return column(
    { kind: "real", nullable: false },
    "real",
    withCheck(
      v.pipe(
        anyNumber,
        // FLOAT would turn it into ±Infinity, silently; PostgreSQL refuses it too ("value out of range").
        v.check(
          fitsFloat4,
          (issue) => outOfRange(issue.input),
        ),
      ),
      (value) => typeof value === "number" && fitsFloat4(value) ? value : REFUSED,
    ),
  );
}

function fitsFloat4(value: number): boolean {
  return !Number.isFinite(value) || Number.isFinite(Math.fround(value));
}

function outOfRange(value: number): string {
  return `${value} is out of range for real (float4): at most ±3.4028235e38`;
}

/** The `real` kind. */
export const realKind: ScalarKind = scalarKind({
  fromSpec: real,
  physical: () => ({ type: "FLOAT" }),
  toParquet: () => same,
  row: (_spec, _element, sink) => (value) => {
    if (typeof value !== "number") throw wrongType("a number", value);
    if (!fitsFloat4(value)) throw new Error(outOfRange(value));
    float32(sink, value);
  },
  copy: { field: (_spec, _element, sink) => (b, at) => swapped(sink, b, at, 4) },
});
