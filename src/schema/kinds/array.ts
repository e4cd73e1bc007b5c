// This module is browser compatible.

/**
 * The `array` kind: a 1-D array of a scalar kind, as a Parquet LIST (three-level: the column, a
 * REPEATED `list` group, its `element`). What depends on the element is asked of the element's kind,
 * which the registry hands in (so this module imports no other kind).
 *
 * @module
 */

import * as v from "valibot";
import { SchemaError } from "../../errors.ts";
import { type Column, column, type ColumnSpec, type Kind, type ScalarKind } from "./kind.ts";

/**
 * An array column (`text[]`, `integer[]`, …) of a scalar element column: stored as a Parquet LIST.
 * Elements are non-null unless the element column is `.nullable()`.
 *
 * @example
 * ```ts
 * import { array, text } from "@parquet-storage/engine";
 * console.assert(array(text()).pgType === "text[]");
 * ```
 */
export function array<T>(element: Column<T>): Column<T[]> {
  if (element.spec.kind === "array" || element.spec.kind === "point") {
    throw new SchemaError(`Cannot declare an array of ${element.spec.kind}: arrays hold scalar columns only`);
  }
  const item = element.spec.nullable ? v.nullable(element.schema) : element.schema;
  return column(
    { kind: "array", nullable: false, element: element.spec },
    `${element.pgType}[]`,
    v.array(item) as v.GenericSchema<unknown, T[]>,
  );
}

/** The `array` kind, whose element kinds are found with `scalar`. */
export function arrayKind(scalar: (spec: ColumnSpec) => ScalarKind): Kind {
  const elementOf = (spec: ColumnSpec): ColumnSpec => {
    if (!spec.element) throw new SchemaError("Cannot rebuild an array column without its element");
    return spec.element;
  };
  return {
    fromSpec(spec) {
      const element = elementOf(spec);
      const base = scalar(element).fromSpec(element);
      return array(element.nullable ? base.nullable() : base);
    },
    parquet(name, spec) {
      const element = elementOf(spec);
      const kind = scalar(element);
      const convert = kind.toParquet(element);
      const item = (value: unknown) => value == null ? null : convert(value);
      return {
        elements: [
          {
            name,
            repetition_type: spec.nullable ? "OPTIONAL" : "REQUIRED",
            converted_type: "LIST",
            logical_type: { type: "LIST" },
            num_children: 1,
          },
          { name: "list", repetition_type: "REPEATED", num_children: 1 },
          {
            ...kind.physical(element),
            name: "element",
            repetition_type: element.nullable ? "OPTIONAL" : "REQUIRED",
          },
        ],
        columns: [{
          name,
          source: name,
          toParquet: (value) => value == null ? null : (value as unknown[]).map(item),
        }],
      };
    },
    // A json array; through `::text[]` first where the element kind would lose digits to a JSON number.
    readExpression: (col, spec) =>
      scalar(elementOf(spec)).readArrayAsText ? `to_jsonb(${col}::text[])` : `to_jsonb(${col})`,
    fromPostgres(spec) {
      const element = elementOf(spec);
      const convert = scalar(element).fromPostgres?.(element);
      if (!convert) return undefined;
      return (value) => (value as unknown[]).map((item) => item === null ? null : convert(item));
    },
    size: () => (value) => ((value as unknown[] | null)?.length ?? 0) * 24 + 16,
  };
}
