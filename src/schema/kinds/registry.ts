// This module is browser compatible.

/**
 * Every column kind, by name: the one place a kind is listed. Code that depends on a column's kind
 * looks it up here (`kindOf(spec)`) instead of switching on `spec.kind`.
 *
 * To add a kind: write `kinds/<kind>.ts` exporting its vocabulary function and its {@link Kind} (see
 * `README.md` in this folder), add its name to `ColumnKind` in `kind.ts`, list it below, and export its
 * vocabulary function from `columns.ts`.
 *
 * @module
 */

import { SchemaError } from "../../errors.ts";
import { arrayKind } from "./array.ts";
import { bigintKind } from "./bigint.ts";
import { booleanKind } from "./boolean.ts";
import { byteaKind } from "./bytea.ts";
import { dateKind } from "./date.ts";
import { enumKind } from "./enum.ts";
import { floatKind } from "./float.ts";
import { geometryKind } from "./geometry.ts";
import { intKind } from "./int.ts";
import { intervalKind } from "./interval.ts";
import { jsonbKind } from "./jsonb.ts";
import type { Column, ColumnKind, ColumnSpec, Kind, ScalarKind } from "./kind.ts";
import { numericKind } from "./numeric.ts";
import { pointKind } from "./point.ts";
import { realKind } from "./real.ts";
import { smallintKind } from "./smallint.ts";
import { textKind } from "./text.ts";
import { timeKind } from "./time.ts";
import { timestampKind } from "./timestamp.ts";
import { timestamptzKind } from "./timestamptz.ts";
import { timetzKind } from "./timetz.ts";
import { uuidKind } from "./uuid.ts";

const SCALAR_KINDS: { readonly [K in Exclude<ColumnKind, "point" | "array" | "geometry">]: ScalarKind } = {
  uuid: uuidKind,
  text: textKind,
  smallint: smallintKind,
  int: intKind,
  bigint: bigintKind,
  real: realKind,
  float: floatKind,
  numeric: numericKind,
  boolean: booleanKind,
  date: dateKind,
  timestamp: timestampKind,
  timestamptz: timestamptzKind,
  jsonb: jsonbKind,
  enum: enumKind,
  bytea: byteaKind,
  time: timeKind,
  timetz: timetzKind,
  interval: intervalKind,
};

const KINDS: { readonly [K in ColumnKind]: Kind } = {
  ...SCALAR_KINDS,
  point: pointKind,
  // One Parquet leaf, but not an array element: GeoParquet describes top-level columns only.
  geometry: geometryKind,
  array: arrayKind(scalarKindOf),
};

/**
 * The kind of a column spec.
 *
 * @example
 * ```ts
 * import { int } from "@parquet-storage/engine";
 * import { kindOf } from "./registry.ts";
 * console.assert(kindOf(int().spec).parquet("id", int().spec, { columns: {} }).elements[0].type === "INT32");
 * ```
 */
export function kindOf(spec: ColumnSpec): Kind {
  const kind = Object.hasOwn(KINDS, spec.kind) ? KINDS[spec.kind] : undefined;
  if (!kind) throw new SchemaError(`Unknown column kind: ${JSON.stringify(spec.kind)}`);
  return kind;
}

/** The kind of a scalar column spec (one Parquet leaf; what an array may hold). */
export function scalarKindOf(spec: ColumnSpec): ScalarKind {
  const kind = Object.hasOwn(SCALAR_KINDS, spec.kind)
    ? SCALAR_KINDS[spec.kind as keyof typeof SCALAR_KINDS]
    : undefined;
  if (!kind) throw new SchemaError(`Cannot use a ${JSON.stringify(spec.kind)} column as a scalar value`);
  return kind;
}

/** Rebuilds a column from its serialised spec (as stored in Parquet key-value metadata). */
export function columnFromSpec(spec: ColumnSpec): Column {
  const base = kindOf(spec).fromSpec(spec);
  return spec.nullable ? base.nullable() : base;
}
