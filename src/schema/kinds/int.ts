// This module is browser compatible.

/**
 * The `int` kind (int4): Parquet INT32; rows carry numbers. `integerKind` also makes `smallint`.
 *
 * @module
 */

import * as v from "valibot";
import { type Column, column, same, type ScalarKind, scalarKind, type ScalarKindParts } from "./kind.ts";
import { int32 } from "./plain_bytes.ts";

/** An integer column of `bits` bits (16 or 32). */
export function integerColumn(kind: "smallint" | "int", bits: 16 | 32): Column<number> {
  const max = 2 ** (bits - 1);
  return column(
    { kind, nullable: false },
    kind === "int" ? "integer" : "smallint",
    v.pipe(v.number(), v.integer(), v.minValue(-max), v.maxValue(max - 1)),
  );
}

/** The parts integer kinds share: stored as INT32, rows carry numbers. */
export const integerParts: Pick<ScalarKindParts, "toParquet"> = { toParquet: () => same };

/**
 * An `integer` (int4) column: stored as INT32; rows carry numbers.
 *
 * @example
 * ```ts
 * import { int } from "@parquet-storage/engine";
 * console.assert(int().pgType === "integer");
 * ```
 */
export function int(): Column<number> {
  return integerColumn("int", 32);
}

/** The `int` kind. */
export const intKind: ScalarKind = scalarKind({
  ...integerParts,
  fromSpec: int,
  physical: () => ({ type: "INT32" }),
  copy: {
    field: (_spec, _element, sink) => (b, at) =>
      int32(sink, b[at] << 24 | b[at + 1] << 16 | b[at + 2] << 8 | b[at + 3]),
  },
});
