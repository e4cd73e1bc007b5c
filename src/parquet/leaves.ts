// This module is browser compatible.

/**
 * The leaf columns of a Parquet schema, as the buffers see them: each with its schema element, its path,
 * and the shape of its buffer (a LIST's element is a leaf with repetition). Both doors build their
 * column buffers from this list, in this order.
 *
 * @module
 */

import type { SchemaElement } from "hyparquet";
import { type ColumnShape, columnShape } from "./column_buffer.ts";

/** One leaf column of a file. */
export interface Leaf {
  /** Its schema element (for a LIST, the `element`). */
  element: SchemaElement;
  /** Its path in the schema (`[name]`, or `[name, "list", "element"]`). */
  path: string[];
  /** How its buffer lays values out. */
  shape: ColumnShape;
}

/**
 * The leaves of a flattened schema (root first), for the flat and 1-D LIST columns this library writes.
 *
 * @example
 * ```ts
 * import { array, defineTable, int, text } from "@parquet-storage/engine";
 * import { parquetLayout } from "../schema/parquet_schema.ts";
 * import { parquetLeaves } from "./leaves.ts";
 * const layout = parquetLayout(defineTable("t", { id: int(), tags: array(text()) }));
 * console.assert(parquetLeaves(layout.schema)[1].path.join(".") === "tags.list.element");
 * ```
 */
export function parquetLeaves(schema: SchemaElement[]): Leaf[] {
  const leaves: Leaf[] = [];
  for (let i = 1; i < schema.length; i++) {
    const element = schema[i];
    const nullable = element.repetition_type === "OPTIONAL";
    if (!element.num_children) {
      leaves.push({ element, path: [element.name], shape: columnShape(element, nullable) });
      continue;
    }
    const list = schema[i + 1], item = schema[i + 2];
    if (element.converted_type !== "LIST" || list?.repetition_type !== "REPEATED" || item?.num_children) {
      throw new Error(`unreachable: ${element.name} is not a 1-D LIST of a primitive`);
    }
    const elementNullable = item.repetition_type === "OPTIONAL";
    leaves.push({
      element: item,
      path: [element.name, list.name, item.name],
      shape: columnShape(item, nullable, { elementNullable }),
    });
    i += 2;
  }
  return leaves;
}
