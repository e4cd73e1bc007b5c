// This module is browser compatible.

/**
 * The `text` kind (also `varchar`): a UTF-8 string.
 *
 * @module
 */

import * as v from "valibot";
import { type Column, column, same, type ScalarKind, scalarKind, textSize } from "./kind.ts";

/**
 * A `text` column (also `varchar`): stored as a UTF-8 string.
 *
 * @example
 * ```ts
 * import { text } from "@parquet-storage/engine";
 * console.assert(text().nullable().spec.nullable === true);
 * ```
 */
export function text(): Column<string> {
  return column({ kind: "text", nullable: false }, "text", v.string());
}

/** The `text` kind. */
export const textKind: ScalarKind = scalarKind({
  fromSpec: text,
  physical: () => ({ type: "BYTE_ARRAY", converted_type: "UTF8", logical_type: { type: "STRING" } }),
  toParquet: () => same,
  // `::text`, so a type mapped with `unmappedAsText` (interval, bytea, …) arrives as its text.
  readExpression: (col) => `${col}::text`,
  copy: { field: (_spec, _element, sink) => (b, at, n) => sink.addBytes(b, at, n) },
  size: () => textSize,
});
