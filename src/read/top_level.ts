// This module is browser compatible.

/**
 * The top-level columns of a file: the root's children in a flattened Parquet schema. A group (a LIST,
 * say) is one column however many elements it spans, and its nested elements are not columns.
 *
 * @module
 */

import type { SchemaElement } from "hyparquet";

/**
 * The root's children, in order, skipping every element nested under them.
 *
 * @example
 * ```ts
 * import { array, defineTable, int, text } from "@parquet-storage/engine";
 * import { parquetLayout } from "../schema/parquet_schema.ts";
 * import { topLevelColumns } from "./top_level.ts";
 * const { schema } = parquetLayout(defineTable("t", { id: int(), tags: array(text()) }));
 * console.assert(topLevelColumns(schema).map((e) => e.name).join() === "id,tags");
 * ```
 */
export function topLevelColumns(schema: SchemaElement[]): SchemaElement[] {
  const top: SchemaElement[] = [];
  const skip = (index: number): number => {
    let next = index + 1;
    for (let c = 0; c < (schema[index].num_children ?? 0); c++) next = skip(next);
    return next;
  };
  for (let i = 1; i < schema.length; i = skip(i)) top.push(schema[i]);
  return top;
}
