// This module is browser compatible.

/**
 * From a table definition to Parquet: the schema elements (with logical types that keep meaning and
 * precision) and, per Parquet column, what a row value is once stored (for filters). Each
 * column's part comes from its kind.
 *
 * @module
 */

import type { SchemaElement } from "hyparquet";
import type { ParquetColumn } from "./kinds/kind.ts";
import { kindOf } from "./kinds/registry.ts";
import type { TableDefinition } from "./table.ts";

export type { ParquetColumn } from "./kinds/kind.ts";
export { pointColumnNames } from "./kinds/point.ts";

/** The Parquet side of a table definition. */
export interface ParquetLayout {
  /** Flattened schema elements, root first. */
  schema: SchemaElement[];
  /** Top-level Parquet columns, in order. */
  columns: ParquetColumn[];
}

/** Options of {@link parquetLayout}. */
export interface ParquetLayoutOptions {
  /**
   * Parquet field ids (as Iceberg assigns them) by the element's dotted path below the root: `"id"` for
   * a top-level column, `"tags.list.element"` for an array's elements. Elements not named get none.
   */
  fieldIds?: Readonly<Record<string, number>>;
}

/**
 * Builds the Parquet schema and value converters of a table.
 *
 * @example
 * ```ts
 * import { defineTable, geographyPoint, numeric } from "@parquet-storage/engine";
 * import { parquetLayout } from "./parquet_schema.ts";
 * const layout = parquetLayout(defineTable("sample", { depth: numeric(8, 2), location: geographyPoint() }));
 * console.assert(layout.columns.map((c) => c.name).join() === "depth,location_latitude,location_longitude");
 * ```
 */
export function parquetLayout(table: TableDefinition, options: ParquetLayoutOptions = {}): ParquetLayout {
  const schema: SchemaElement[] = [];
  const columns: ParquetColumn[] = [];
  for (const [name, { spec }] of Object.entries(table.columns)) {
    const part = kindOf(spec).parquet(name, spec, table);
    schema.push(...part.elements);
    columns.push(...part.columns);
  }
  const elements = options.fieldIds ? withFieldIds(schema, options.fieldIds) : schema;
  return { schema: [{ name: "root", num_children: columns.length }, ...elements], columns };
}

function withFieldIds(schema: SchemaElement[], ids: Readonly<Record<string, number>>): SchemaElement[] {
  const path: string[] = [];
  const left: number[] = [];
  return schema.map((element) => {
    while (left.length && left[left.length - 1] === 0) {
      left.pop();
      path.pop();
    }
    if (left.length) left[left.length - 1]--;
    const dotted = [...path, element.name].join(".");
    if (element.num_children) {
      path.push(element.name);
      left.push(element.num_children);
    }
    const id = ids[dotted];
    return id === undefined ? element : { ...element, field_id: id };
  });
}
