// This module is browser compatible.

/**
 * The `boolean` kind: Parquet BOOLEAN.
 *
 * @module
 */

import * as v from "valibot";
import { type Column, column, same, type ScalarKind, scalarKind } from "./kind.ts";

/**
 * A `boolean` column.
 *
 * @example
 * ```ts
 * import { boolean } from "@parquet-storage/engine";
 * console.assert(boolean().pgType === "boolean");
 * ```
 */
export function boolean(): Column<boolean> {
  return column({ kind: "boolean", nullable: false }, "boolean", v.boolean());
}

/** The `boolean` kind. */
export const booleanKind: ScalarKind = scalarKind({
  fromSpec: boolean,
  physical: () => ({ type: "BOOLEAN" }),
  toParquet: () => same,
  copy: {
    // One byte per value in the buffer; the page writer bit-packs them.
    field: (_spec, _element, sink) => (b, at) => {
      sink.reserve(1)[sink.length] = b[at] ? 1 : 0;
      sink.commit();
    },
  },
});
