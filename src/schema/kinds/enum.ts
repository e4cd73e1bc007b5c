// This module is browser compatible.

/**
 * The `enum` kind: text restricted to the type's labels, stored as a UTF-8 string.
 *
 * @module
 */

import * as v from "valibot";
import { SchemaError } from "../../errors.ts";
import { type Column, column, same, type ScalarKind, scalarKind, textSize } from "./kind.ts";

/**
 * An enum column: text restricted to `values`, stored as a UTF-8 string. `name` is the PostgreSQL type.
 *
 * @example
 * ```ts
 * import { enumOf } from "@parquet-storage/engine";
 * const status = enumOf("report_status", ["draft", "submitted", "approved"]);
 * console.assert(status.pgType === "report_status");
 * ```
 */
export function enumOf<const V extends string>(name: string, values: readonly V[]): Column<V> {
  if (!values.length) throw new SchemaError(`Cannot declare enum ${name} as it has no values`);
  return column(
    { kind: "enum", nullable: false, values: [...values], enumName: name },
    name,
    v.picklist(values as V[]) as unknown as v.GenericSchema<unknown, V>,
  );
}

/** The `enum` kind. */
export const enumKind: ScalarKind = scalarKind({
  fromSpec: (spec) => enumOf(spec.enumName ?? "enum", spec.values ?? []),
  physical: () => ({ type: "BYTE_ARRAY", converted_type: "UTF8", logical_type: { type: "STRING" } }),
  toParquet: () => same,
  copy: {
    // Through text, so the COPY does not depend on the enum type's name.
    select: (col) => `${col}::text`,
    field: (_spec, _element, sink) => (b, at, n) => sink.addBytes(b, at, n),
  },
  size: () => textSize,
});
