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
import {
  type Canonicalise,
  type Column,
  column,
  type ColumnSink,
  type ColumnSpec,
  fastCheck,
  type FieldWriter,
  type Kind,
  type Refuse,
  REFUSED,
  type ScalarKind,
  withCheck,
  wrongType,
} from "./kind.ts";
import { int32BE } from "./plain_bytes.ts";

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
  const check = fastCheck(element.schema), nullable = element.spec.nullable;
  const schema = v.array(item) as v.GenericSchema<unknown, T[]>;
  return column(
    { kind: "array", nullable: false, element: element.spec },
    `${element.pgType}[]`,
    check ? withCheck(schema, (value) => checkArray(value, check, nullable)) : schema,
  );
}

function checkArray(value: unknown, check: Canonicalise<unknown>, nullable: boolean): unknown {
  if (!Array.isArray(value)) return REFUSED;
  const out = new Array(value.length);
  for (let i = 0; i < value.length; i++) {
    const item = value[i];
    if (item === null && nullable) out[i] = null;
    else {
      const result = check(item);
      if (typeof result === "object" && result !== null && "reason" in result) return REFUSED;
      out[i] = result;
    }
  }
  return out;
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
    // Money through numeric (its text is its locale's); an element kind read through its own expression
    // (interval) element by element, in order.
    readExpression(col, spec, pgType) {
      const element = elementOf(spec), kind = scalar(element);
      if (pgType === "money[]") return `to_jsonb(${col}::numeric[]::text[])`;
      if (pgType && WKB_ARRAYS.test(pgType)) {
        return eachElement(col, "coalesce(jsonb_agg(to_jsonb(ST_AsBinary(u.e)) ORDER BY u.o), '[]')");
      }
      if (kind.readArrayElements && kind.readExpression) {
        const each = kind.readExpression("u.e", element);
        return `CASE WHEN ${col} IS NULL THEN NULL ELSE (SELECT coalesce(jsonb_agg(${each} ORDER BY u.o), ` +
          `'[]') FROM unnest(${col}) WITH ORDINALITY AS u(e, o)) END`;
      }
      // Elements read as text by their output function, one by one, when to_jsonb would not give that text
      // (an int2vector as a JSON array, …) or `::text[]` would change it (inet's netmask). NULL elements by
      // IS NOT DISTINCT FROM NULL: a composite of NULL fields (`(,)`) IS NULL, yet is a value.
      if (element.kind === "text" && pgType && !TEXT_ARRAYS.test(pgType)) {
        return eachElement(
          col,
          "coalesce(jsonb_agg(CASE WHEN u.e IS NOT DISTINCT FROM NULL THEN NULL ELSE format('%s', u.e) END " +
            "ORDER BY u.o), '[]')",
        );
      }
      return kind.readArrayAsText ? `to_jsonb(${col}::text[])` : `to_jsonb(${col})`;
    },
    fromPostgres(spec) {
      const element = elementOf(spec);
      const convert = scalar(element).fromPostgres?.(element);
      if (!convert) return undefined;
      return (value) => (value as unknown[]).map((item) => item === null ? null : convert(item));
    },
    rows(spec, leaves, [sink]) {
      const element = elementOf(spec);
      const write = scalar(element).row(element, leaves[0], sink);
      const nullable = element.nullable;
      return (value) => {
        if (!Array.isArray(value)) throw wrongType("an array", value);
        sink.beginList(value.length);
        for (const item of value) {
          if (item !== null) write(item);
          else if (nullable) sink.addNullElement();
          else throw new Error("null element in an array whose elements are not nullable");
        }
      };
    },
    size: () => (value) => ((value as unknown[] | null)?.length ?? 0) * 24 + 16,
    copy: {
      // An enum's elements through `::text[]`; decimals as `numeric(p,s)[]` (money's binary form is not
      // numeric's); text elements as they are (character(n)'s binary form keeps its padding).
      select: (col, spec, pgType) =>
        WKB_ARRAYS.test(pgType)
          ? `${eachElement(col, "coalesce(array_agg(ST_AsBinary(u.e) ORDER BY u.o), '{}')")}::bytea[]`
          : `${col}::${arrayCast(spec, pgType)}`,
      // Not an element whose own select cannot apply to an array (an unconstrained numeric's trimmed
      // text, a geometry's WKB), nor a type whose elements' text only its output function gives (inet[]:
      // `::text[]` would add a netmask): those take the row door.
      supports: (spec, pgType) => {
        const element = elementOf(spec);
        const copy = scalar(element).copy;
        if (copy?.field === undefined) return false;
        if (element.kind === "text") return TEXT_ARRAYS.test(pgType);
        return !copy.select || element.kind === "enum" ||
          (element.kind === "numeric" && element.precision !== undefined);
      },
      fields(spec, leaves, [sink], refuse) {
        const element = elementOf(spec);
        const field = scalar(element).copy?.field;
        if (!field) throw new Error(`unreachable: ${element.kind} elements are not read through COPY`);
        return arrayField(field(element, leaves[0], sink, refuse), sink, element.nullable, refuse);
      },
    },
  };
}

/**
 * The writer of PostgreSQL's binary array (dimensions, a has-NULL flag, the element type, then per
 * dimension its size and lower bound, then each element as a length, -1 for NULL, and its bytes) into a
 * LIST column's sink, each element by the element kind's field writer.
 */
function arrayField(write: FieldWriter, sink: ColumnSink, nullable: boolean, refuse: Refuse): FieldWriter {
  return (b, at, length) => {
    const dimensions = int32BE(b, at);
    if (dimensions === 0) return sink.beginList(0);
    if (dimensions !== 1) refuse(`a ${dimensions}-D array: only 1-D arrays are stored`);
    const n = int32BE(b, at + 12);
    // A huge array's elements take at most its own bytes: room made once, not by doubling as they come.
    if (length > HUGE_ARRAY_BYTES) sink.reserve(length);
    sink.beginList(n);
    let p = at + 20;
    for (let i = 0; i < n; i++) {
      const length = int32BE(b, p);
      p += 4;
      if (length === -1) {
        if (!nullable) refuse("null element in an array whose elements are not nullable");
        sink.addNullElement();
      } else {
        write(b, p, length);
        p += length;
      }
    }
  };
}

/**
 * Arrays of PostGIS geometries or geographies, stored as LISTs of ISO WKB (bytea elements: GeoParquet
 * describes top-level columns only). Their own elements are EWKB, so each goes through `ST_AsBinary`, in
 * order, NULLs kept.
 */
const WKB_ARRAYS = /^(?:[^(]*\.)?(?:geometry|geography)(?:\([^)]*\))?\[\]$/i;

/** An array's elements, in order, through `aggregate` over `u.e` (NULL for a NULL array). */
function eachElement(col: string, aggregate: string): string {
  return `CASE WHEN ${col} IS NULL THEN NULL ELSE (SELECT ${aggregate} FROM unnest(${col}) ` +
    `WITH ORDINALITY AS u(e, o)) END`;
}

/** An array of more bytes than this has room made for all its elements at once. */
const HUGE_ARRAY_BYTES = 1024 * 1024;

/** Array types whose binary elements are their text: text, varchar(n), char(n) (padded), citext. */
const TEXT_ARRAYS = /^(?:text|character varying(?:\(\d+\))?|character(?:\(\d+\))?|(?:[^[]*\.)?citext)\[\]$/;

/**
 * The array type the COPY reads: `text[]` for an enum's elements, `numeric(p,s)[]` for decimals (money's
 * binary form is not numeric's), else the column's own type.
 */
function arrayCast(spec: ColumnSpec, pgType: string): string {
  const element = spec.element;
  if (element?.kind === "enum") return "text[]";
  if (element?.kind === "numeric" && element.precision !== undefined) {
    return `numeric(${element.precision},${element.scale ?? 0})[]`;
  }
  return pgType;
}
