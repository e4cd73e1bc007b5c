// This module is browser compatible.

/**
 * A table definition as an Iceberg schema: one field per top-level Parquet column (a point's two
 * coordinates are two fields), typed from its Parquet element, with field ids kept by name from the
 * table's current schema so that files written before and after an evolution read by id. A new column
 * gets the next id; a column whose type changed is refused.
 *
 * @module
 */

import type { SchemaElement } from "hyparquet";
import { IcebergSchemaError } from "../../errors.ts";
import { parquetLayout } from "../../schema/parquet_schema.ts";
import type { TableDefinition } from "../../schema/table.ts";

/** An Iceberg list type. */
export interface IcebergListType {
  /** Always `"list"`. */
  type: "list";
  /** The element's field id. */
  "element-id": number;
  /** Whether elements are never null. */
  "element-required": boolean;
  /** The element type. */
  element: IcebergType;
}

/** An Iceberg type: a primitive's name (`"long"`, `"decimal(10,2)"`, …) or a list. */
export type IcebergType = string | IcebergListType;

/** One field of an Iceberg schema. */
export interface IcebergField {
  /** Field id, unique in the table's history. */
  id: number;
  /** Column name. */
  name: string;
  /** True for NOT NULL. */
  required: boolean;
  /** Its type. */
  type: IcebergType;
}

/** An Iceberg schema (a struct with an id). */
export interface IcebergSchema {
  /** Always `"struct"`. */
  type: "struct";
  /** The schema's id in the table metadata. */
  "schema-id": number;
  /** Its fields. */
  fields: IcebergField[];
}

/** A table's schema as Iceberg will hold it, and what the data files need for it. */
export interface SchemaPlan {
  /** The schema (a new id when it differs from the current one). */
  schema: IcebergSchema;
  /** True when `schema` is not the table's current schema. */
  changed: boolean;
  /** The highest field id assigned. */
  lastColumnId: number;
  /** Parquet field ids by element path, for the encoder. */
  fieldIds: Record<string, number>;
}

/**
 * Plans the Iceberg schema of `table` against the current one (none for a new table).
 *
 * @example
 * ```ts
 * import { defineTable, int, text } from "@parquet-storage/engine";
 * import { planSchema } from "./iceberg_schema.ts";
 * const first = planSchema(defineTable("t", { id: int() }), undefined, 0);
 * const next = planSchema(defineTable("t", { id: int(), note: text().nullable() }), first.schema, 1);
 * console.assert(next.changed && next.fieldIds.note === 2 && next.fieldIds.id === 1);
 * ```
 */
export function planSchema(
  table: TableDefinition,
  current: IcebergSchema | undefined,
  lastColumnId: number,
): SchemaPlan {
  const elements = parquetLayout(table).schema.slice(1);
  const previous = new Map((current?.fields ?? []).map((field) => [field.name, field]));
  let last = lastColumnId;
  const fieldIds: Record<string, number> = {};
  const fields: IcebergField[] = [];
  const pending: (() => void)[] = [];
  for (let i = 0; i < elements.length; i += span(elements[i])) {
    const element = elements[i];
    const fresh = fieldOf(table, elements, i, 0, 0);
    const before = previous.get(element.name);
    if (before) {
      if (!sameType(before.type, fresh.type)) {
        throw new IcebergSchemaError(
          `Cannot change the type of a column of an Iceberg table: it was ${
            describe(before.type)
          }, it is now ${
            describe(fresh.type)
          }; Iceberg reads columns by field id, so export under a new table name or drop the column first`,
          { table: table.name, column: element.name },
        );
      }
      // A column may become nullable, never NOT NULL again: older files may hold nulls.
      const field = { ...before, required: before.required && fresh.required };
      fields.push(field);
      recordIds(field, fieldIds);
    } else {
      // Ids for new columns are given after the loop, top-level ones first, as Iceberg does.
      const field = { ...fresh, required: current ? false : fresh.required };
      fields.push(field);
      pending.push(() => {
        field.id = ++last;
        if (typeof field.type !== "string") field.type = { ...field.type, "element-id": 0 };
      });
    }
  }
  for (const assign of pending) assign();
  for (const field of fields) {
    if (typeof field.type !== "string" && field.type["element-id"] === 0) {
      field.type = { ...field.type, "element-id": ++last };
    }
    if (!(field.name in fieldIds)) recordIds(field, fieldIds);
  }
  const changed = !current || JSON.stringify(current.fields) !== JSON.stringify(fields);
  const schemaId = !current ? 0 : changed ? current["schema-id"] + 1 : current["schema-id"];
  return { schema: { type: "struct", "schema-id": schemaId, fields }, changed, lastColumnId: last, fieldIds };
}

function recordIds(field: IcebergField, ids: Record<string, number>): void {
  ids[field.name] = field.id;
  if (typeof field.type !== "string") ids[`${field.name}.list.element`] = field.type["element-id"];
}

/** Elements a top-level column takes in the flattened schema (3 for a list). */
function span(element: SchemaElement): number {
  return element.num_children ? 3 : 1;
}

function fieldOf(
  table: TableDefinition,
  elements: SchemaElement[],
  i: number,
  id: number,
  elementId: number,
) {
  const element = elements[i];
  const required = element.repetition_type === "REQUIRED";
  if (element.num_children) {
    const item = elements[i + 2];
    return {
      id,
      name: element.name,
      required,
      type: {
        type: "list" as const,
        "element-id": elementId,
        "element-required": item.repetition_type === "REQUIRED",
        element: primitiveType(table, element.name, item),
      },
    };
  }
  return { id, name: element.name, required, type: primitiveType(table, element.name, element) };
}

/** The Iceberg primitive type of a Parquet leaf, as Iceberg's own Parquet mapping reads it. */
export function primitiveType(table: TableDefinition, column: string, e: SchemaElement): string {
  const logical = e.logical_type;
  const decimal = () =>
    `decimal(${e.precision ?? (logical as { precision?: number })?.precision},${
      e.scale ?? (logical as { scale?: number })?.scale ?? 0
    })`;
  switch (e.type) {
    case "BOOLEAN":
      return "boolean";
    case "INT32":
      if (logical?.type === "DATE") return "date";
      if (logical?.type === "DECIMAL" || e.converted_type === "DECIMAL") return decimal();
      return "int";
    case "INT64":
      if (logical?.type === "TIMESTAMP") {
        if (logical.unit !== "MICROS") {
          throw new IcebergSchemaError(
            `Cannot store a timestamp in ${logical.unit} in an Iceberg table: Iceberg timestamps are microseconds (declare the column without unit: "millis")`,
            { table: table.name, column },
          );
        }
        return logical.isAdjustedToUTC ? "timestamptz" : "timestamp";
      }
      if (logical?.type === "DECIMAL" || e.converted_type === "DECIMAL") return decimal();
      return "long";
    case "FLOAT":
      return "float";
    case "DOUBLE":
      return "double";
    case "BYTE_ARRAY":
      return e.converted_type === "UTF8" || e.converted_type === "JSON" || e.converted_type === "ENUM" ||
          logical?.type === "STRING" || logical?.type === "JSON" || logical?.type === "ENUM"
        ? "string"
        : "binary";
    case "FIXED_LEN_BYTE_ARRAY":
      if (logical?.type === "UUID") return "uuid";
      if (logical?.type === "DECIMAL" || e.converted_type === "DECIMAL") return decimal();
      return `fixed[${e.type_length}]`;
    default:
      throw new IcebergSchemaError(`Cannot map the Parquet type ${e.type} to an Iceberg type`, {
        table: table.name,
        column,
      });
  }
}

function sameType(a: IcebergType, b: IcebergType): boolean {
  if (typeof a === "string" || typeof b === "string") return a === b;
  return sameType(a.element, b.element) && a["element-required"] === b["element-required"];
}

function describe(type: IcebergType): string {
  return typeof type === "string" ? type : `list<${describe(type.element)}>`;
}
