// This module is browser compatible.

/**
 * From a table definition to Parquet: the schema elements (with logical types that keep meaning and
 * precision) and, per Parquet column, how a row value becomes what hyparquet-writer stores.
 *
 * @module
 */

import type { SchemaElement } from "hyparquet";
import type { ColumnSpec } from "./columns.ts";
import type { TableDefinition } from "./table.ts";
import { parseDate, parseTimestamp } from "./values.ts";

/** One top-level Parquet column and where its values come from. */
export interface ParquetColumn {
  /** The Parquet column name. */
  name: string;
  /** The table column it comes from (a point gives two Parquet columns). */
  source: string;
  /** Turns one row value (canonical, validated) into the value hyparquet-writer expects. */
  toParquet: (value: unknown) => unknown;
}

/** The Parquet side of a table definition. */
export interface ParquetLayout {
  /** Flattened schema elements, root first. */
  schema: SchemaElement[];
  /** Top-level Parquet columns, in order. */
  columns: ParquetColumn[];
}

/** The Parquet column names of a point column: `latitude`/`longitude` when it is the only point. */
export function pointColumnNames(table: TableDefinition, column: string): [string, string] {
  const points = Object.values(table.columns).filter((c) => c.spec.kind === "point").length;
  const clash = "latitude" in table.columns || "longitude" in table.columns;
  return points === 1 && !clash ? ["latitude", "longitude"] : [`${column}_latitude`, `${column}_longitude`];
}

/**
 * Builds the Parquet schema and value converters of a table.
 *
 * @example
 * ```ts
 * import { defineTable, geographyPoint, numeric } from "@parquet-storage/engine";
 * import { parquetLayout } from "./parquet_schema.ts";
 * const layout = parquetLayout(defineTable("sample", { depth: numeric(8, 2), location: geographyPoint() }));
 * console.assert(layout.columns.map((c) => c.name).join() === "depth,latitude,longitude");
 * ```
 */
export function parquetLayout(table: TableDefinition): ParquetLayout {
  const schema: SchemaElement[] = [];
  const columns: ParquetColumn[] = [];
  for (const [name, { spec }] of Object.entries(table.columns)) {
    if (spec.kind === "point") {
      const [lat, lon] = pointColumnNames(table, name);
      const repetition_type = spec.nullable ? "OPTIONAL" : "REQUIRED";
      schema.push({ name: lat, type: "DOUBLE", repetition_type }, {
        name: lon,
        type: "DOUBLE",
        repetition_type,
      });
      columns.push(
        { name: lat, source: name, toParquet: (p) => (p as { latitude: number } | null)?.latitude ?? null },
        { name: lon, source: name, toParquet: (p) => (p as { longitude: number } | null)?.longitude ?? null },
      );
    } else {
      schema.push(...elements(name, spec));
      columns.push({ name, source: name, toParquet: converter(spec) });
    }
  }
  return {
    schema: [{ name: "root", num_children: schema.filter(isTopLevel(schema)).length }, ...schema],
    columns,
  };
}

function isTopLevel(all: SchemaElement[]): (element: SchemaElement) => boolean {
  // Children of a LIST follow their parent; count only elements not consumed as children.
  const children = new Set<SchemaElement>();
  all.forEach((element, i) => {
    if (element.converted_type === "LIST") children.add(all[i + 1]).add(all[i + 2]);
  });
  return (element) => !children.has(element);
}

function elements(name: string, spec: ColumnSpec): SchemaElement[] {
  const repetition_type = spec.nullable ? "OPTIONAL" : "REQUIRED";
  if (spec.kind === "array") {
    const element = spec.element!;
    return [
      { name, repetition_type, converted_type: "LIST", logical_type: { type: "LIST" }, num_children: 1 },
      { name: "list", repetition_type: "REPEATED", num_children: 1 },
      { ...physical(element), name: "element", repetition_type: element.nullable ? "OPTIONAL" : "REQUIRED" },
    ];
  }
  return [{ ...physical(spec), name, repetition_type }];
}

function physical(spec: ColumnSpec): Omit<SchemaElement, "name"> {
  switch (spec.kind) {
    case "uuid":
      return { type: "FIXED_LEN_BYTE_ARRAY", type_length: 16, logical_type: { type: "UUID" } };
    case "text":
    case "enum":
      return { type: "BYTE_ARRAY", converted_type: "UTF8", logical_type: { type: "STRING" } };
    case "smallint":
      // Only the legacy annotation: hyparquet-writer's INTEGER logical type is not readable by DuckDB.
      return { type: "INT32", converted_type: "INT_16" };
    case "int":
      return { type: "INT32" };
    case "bigint":
      return { type: "INT64" };
    case "real":
      return { type: "FLOAT" };
    case "float":
      return { type: "DOUBLE" };
    case "boolean":
      return { type: "BOOLEAN" };
    case "date":
      return { type: "INT32", converted_type: "DATE", logical_type: { type: "DATE" } };
    case "timestamp":
    case "timestamptz": {
      const isAdjustedToUTC = spec.kind === "timestamptz";
      const unit = spec.unit === "millis" ? "MILLIS" : "MICROS";
      return {
        type: "INT64",
        // The legacy converted type means "adjusted to UTC", so only timestamptz may carry it.
        ...(isAdjustedToUTC ? { converted_type: `TIMESTAMP_${unit}` as const } : {}),
        logical_type: { type: "TIMESTAMP", isAdjustedToUTC, unit },
      };
    }
    case "jsonb":
      return { type: "BYTE_ARRAY", converted_type: "JSON", logical_type: { type: "JSON" } };
    case "numeric": {
      if (spec.precision === undefined) {
        return { type: "BYTE_ARRAY", converted_type: "UTF8", logical_type: { type: "STRING" } };
      }
      const { precision, scale = 0 } = spec;
      const decimal = {
        converted_type: "DECIMAL" as const,
        precision,
        scale,
        logical_type: { type: "DECIMAL" as const, precision, scale },
      };
      if (precision <= 9) return { type: "INT32", ...decimal };
      if (precision <= 18) return { type: "INT64", ...decimal };
      return { type: "FIXED_LEN_BYTE_ARRAY", type_length: decimalBytes(precision), ...decimal };
    }
    default:
      throw new Error(`unreachable: ${spec.kind} has no scalar Parquet type`);
  }
}

/** The fewest bytes whose two's complement holds every `precision`-digit integer. */
function decimalBytes(precision: number): number {
  return Math.ceil((Math.log2(10) * precision + 1) / 8);
}

function converter(spec: ColumnSpec): (value: unknown) => unknown {
  const convert = scalarConverter(spec);
  if (spec.kind !== "array") return convert;
  const element = scalarConverter(spec.element!);
  return (value) => value === null || value === undefined ? null : (value as unknown[]).map(element);
}

function scalarConverter(spec: ColumnSpec): (value: unknown) => unknown {
  const nullSafe = (f: (value: never) => unknown) => (value: unknown) =>
    value === null || value === undefined ? null : f(value as never);
  switch (spec.kind) {
    case "numeric":
      // Canonical decimal text has exactly `scale` fraction digits, so dropping the point gives the
      // unscaled integer exactly.
      return spec.precision === undefined
        ? nullSafe((v: string) => v)
        : nullSafe((v: string) => BigInt(v.replace(".", "")));
    case "date":
      return nullSafe((v: string) => parseDate(v));
    case "timestamp":
    case "timestamptz": {
      const divisor = spec.unit === "millis" ? 1000n : 1n;
      return nullSafe((v: string) => (parseTimestamp(v, spec.kind === "timestamptz") as bigint) / divisor);
    }
    default:
      return nullSafe((v: unknown) => v);
  }
}
