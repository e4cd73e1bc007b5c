// This module is browser compatible.

/**
 * The `smallint` kind (int2): Parquet INT32 annotated INT_16; rows carry numbers.
 *
 * @module
 */

import { type Column, type ScalarKind, scalarKind } from "./kind.ts";
import { integerColumn, integerParts } from "./int.ts";
import { int32 } from "./plain_bytes.ts";

/**
 * A `smallint` (int2) column: stored as INT32; rows carry numbers.
 *
 * @example
 * ```ts
 * import { smallint } from "@parquet-storage/engine";
 * console.assert(smallint().pgType === "smallint");
 * ```
 */
export function smallint(): Column<number> {
  return integerColumn("smallint", 16);
}

/** The `smallint` kind. */
export const smallintKind: ScalarKind = scalarKind({
  ...integerParts,
  fromSpec: smallint,
  // Only the legacy annotation: hyparquet-writer's INTEGER logical type is not readable by DuckDB.
  physical: () => ({ type: "INT32", converted_type: "INT_16" }),
  copy: { field: (_spec, _element, sink) => (b, at) => int32(sink, (b[at] << 8 | b[at + 1]) << 16 >> 16) },
});
