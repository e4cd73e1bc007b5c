// This module is browser compatible.

/**
 * What a column kind is made of, written once for every kind (see `README.md` beside this file): the
 * column a table definition holds, and the {@link Kind} interface each `kinds/<kind>.ts` implements.
 * This module imports no kind, so every kind can import it without a cycle.
 *
 * Why one file: it is the one contract every kind implements (the `Kind` interface, the column, their
 * shared types); split, each kind would import several halves of one interface.
 *
 * @module
 */

import type { SchemaElement } from "hyparquet";
import * as v from "valibot";
import { describe } from "../values.ts";
import type { GeometryBounds } from "../wkb.ts";

/** The kinds of column the vocabulary knows: one module each in `src/schema/kinds/`. */
export type ColumnKind =
  | "uuid"
  | "text"
  | "smallint"
  | "int"
  | "bigint"
  | "real"
  | "float"
  | "numeric"
  | "boolean"
  | "date"
  | "timestamp"
  | "timestamptz"
  | "jsonb"
  | "point"
  | "array"
  | "enum"
  | "bytea"
  | "geometry"
  | "time"
  | "timetz"
  | "interval";

/** The serialisable description of a column: what Parquet key-value metadata records. */
export interface ColumnSpec {
  /** Which kind of column. */
  kind: ColumnKind;
  /** Whether SQL NULL is allowed. */
  nullable: boolean;
  /** Decimal precision (`numeric`); absent for an unconstrained `numeric`. */
  precision?: number;
  /** Decimal scale (`numeric`). */
  scale?: number;
  /** Allowed values (`enum`). */
  values?: readonly string[];
  /** The PostgreSQL enum type name (`enum`). */
  enumName?: string;
  /** The element column (`array`). */
  element?: ColumnSpec;
  /** Stored time unit (`timestamp`, `timestamptz`); default `micros`. */
  unit?: "micros" | "millis";
  /** The spatial reference system (`geometry`); absent or 0 when unknown. */
  srid?: number;
  /** A PostGIS geography, whose edges are great-circle arcs (`geometry`). */
  geography?: boolean;
}

/**
 * One column of a table definition. `T` is the value a validated row carries (`| null` once nullable).
 *
 * Make one with the vocabulary functions, then `.nullable()` to allow SQL NULL.
 */
export interface Column<T = unknown> {
  /** What the column is: kind, nullability, precision, … */
  readonly spec: ColumnSpec;
  /** Validates and canonicalises one non-null value. */
  readonly schema: v.GenericSchema<unknown, NonNullable<T>>;
  /** The PostgreSQL type, as `format_type` prints it (for drift checks and DDL). */
  readonly pgType: string;
  /**
   * The SQL expression read in place of the column (its quoted name) when exporting, if not the column
   * itself: how `specialValues` turns NaN and infinities into NULL or text. Not recorded in files.
   */
  readonly readFrom?: string;
  /** This column with SQL NULL allowed. */
  nullable(): Column<T | null>;
}

/** Builds a column value (the vocabulary functions' common tail). */
export function column<T>(spec: ColumnSpec, pgType: string, schema: v.GenericSchema<unknown, T>): Column<T> {
  return {
    spec,
    pgType,
    schema: schema as v.GenericSchema<unknown, NonNullable<T>>,
    nullable: () => column<T | null>({ ...spec, nullable: true }, pgType, schema),
  };
}

/** A conversion that gives the canonical value, or `{ reason }` when the value is not one of the kind. */
export type Canonicalise<T> = (value: unknown) => T | { reason: string };

/**
 * The fast checks of the vocabulary's own schemas, by schema: what `ValidateStream` runs instead of
 * Valibot. A schema not found here (a column given checks of its own) is run through Valibot.
 */
const CHECKS = new WeakMap<object, Canonicalise<unknown>>();

/** What a fast check returns for a value its schema refuses (Valibot then says why). */
export const REFUSED: { reason: string } = { reason: "refused" };

/**
 * Registers `check` as the fast form of `schema`: for every value, it must give what Valibot's parse of
 * `schema` outputs, or a `{ reason }` where Valibot would fail (Valibot is then run for its issues).
 */
export function withCheck<S extends object>(schema: S, check: Canonicalise<unknown>): S {
  CHECKS.set(schema, check);
  return schema;
}

/** The fast check of a column's schema, or undefined when only Valibot knows it (custom checks). */
export function fastCheck(schema: object): Canonicalise<unknown> | undefined {
  return CHECKS.get(schema);
}

/** A Valibot schema from a canonicalising function: its reason becomes the issue's message. */
export function canonical<T>(expects: string, convert: Canonicalise<T>): v.GenericSchema<unknown, T> {
  return withCheck(
    v.pipe(
      v.unknown(),
      v.rawTransform(({ dataset, addIssue, NEVER }) => {
        const result = convert(dataset.value);
        if (typeof result === "object" && result !== null && "reason" in result) {
          addIssue({ message: result.reason, expected: expects, received: describe(dataset.value) });
          return NEVER;
        }
        return result as T;
      }),
    ) as v.GenericSchema<unknown, T>,
    convert,
  );
}

/**
 * Where a kind writes the bytes Parquet stores for one value: a column buffer of `src/parquet`
 * (declared here, by what kinds need of it, so that the schema room does not depend on the parquet room).
 * A fixed-width value is written at `reserve(width)[length…]` and then `commit()`ed; a BYTE_ARRAY value
 * is handed over with `addBytes`, or written at `reserve(4 + n)[length + 4…]` and `commitBytes(n)`.
 */
export interface ValueSink {
  /** Bytes in use: where the next value is written. */
  readonly length: number;
  /** Makes room for `n` more bytes at `length`, and returns the (possibly new) byte array. */
  reserve(n: number): Uint8Array;
  /** Takes the fixed-width value just written at `length`. */
  commit(): void;
  /** Takes a BYTE_ARRAY value from `source[at, at + n)`. */
  addBytes(source: Uint8Array, at: number, n: number): void;
  /** Takes the BYTE_ARRAY value whose `n` bytes were written at `length + 4`. */
  commitBytes(n: number): void;
}

/**
 * A column buffer as a whole-row writer sees it: values, plus NULLs and, for a LIST column, arrays. A
 * LIST row is `addNull()` (a NULL array) or `beginList(n)` then exactly `n` values or `addNullElement()`s.
 */
export interface ColumnSink extends ValueSink {
  /** A NULL row value (for a LIST column, a NULL array). */
  addNull(): void;
  /** Starts a LIST row of `n` elements, which follow; `beginList(0)` is an empty array. */
  beginList(n: number): void;
  /** A NULL element of the LIST row begun last. */
  addNullElement(): void;
}

/**
 * What the values of one file add up to, beyond their bytes, gathered by the writers as they go and
 * written in the footer: the extent and types of each geometry column (GeoParquet's `geo` metadata).
 * The doors make one per file and hand it to every writer they build.
 */
export interface FileFacts {
  /** One entry per geometry column, by Parquet column name, added by its writer when it is built. */
  readonly geometries: Map<string, GeometryFacts>;
}

/** What a geometry column's writer records (the shape `src/parquet/geo_metadata.ts` reads). */
export interface GeometryFacts {
  /** The Parquet column name. */
  name: string;
  /** The column's SRID (0 or absent: unknown). */
  srid?: number;
  /** Whether it is a geography. */
  geography?: boolean;
  /** The types and extent of the values written. */
  bounds: GeometryBounds;
}

/** Writes one non-null row value into its column's sink(s); throws an `Error` saying why it cannot. */
export type RowWriter = (value: unknown) => void;

/** A conversion's refusal as an exception, for writers (the message is the kind's reason). */
export function orThrow<T>(convert: Canonicalise<T>): (value: unknown) => T {
  return (value) => {
    const result = convert(value);
    if (typeof result === "object" && result !== null && "reason" in result) throw new Error(result.reason);
    return result as T;
  };
}

/** Writes one non-null binary COPY field, `n` bytes at `b[at]`, into its column's sink. */
export type FieldWriter = (b: Uint8Array, at: number, n: number) => void;

/** What a refusal of a value PostgreSQL has and Parquet cannot hold (NaN, infinity) ends with. */
export const SPECIAL_VALUES_HINT =
  'pass specialValues: "null" or "text" (--special-values null|text) to export such values';

/** Throws the validation error of a value PostgreSQL has and Parquet cannot hold. */
export type Refuse = (reason: string) => never;

/** One top-level Parquet column and where its values come from. */
export interface ParquetColumn {
  /** The Parquet column name. */
  name: string;
  /** The table column it comes from (a point gives two Parquet columns). */
  source: string;
  /** Turns one row value (canonical, validated, or null) into its stored value as hyparquet reads it back (filters compare it with statistics). */
  toParquet: (value: unknown) => unknown;
}

/** What a kind may need to know of the table a column is in (a point's column names depend on it). */
export interface TableColumns {
  /** The table's columns, by name, in order. */
  readonly columns: Readonly<Record<string, { readonly spec: ColumnSpec }>>;
}

/**
 * Everything a column kind owns. A kind is one module in `src/schema/kinds/` exporting a `Kind`, listed
 * once in `registry.ts`; every place that depends on the kind looks it up there instead of switching.
 * Optional members have the default written next to them.
 */
export interface Kind {
  /** Rebuilds a non-null column of this kind from its spec (the vocabulary function, called again). */
  fromSpec(spec: ColumnSpec): Column;
  /**
   * The Parquet side of a column called `name`: its schema elements (flattened, depth first, as the
   * footer lists them; their repetition set from `spec.nullable`) and the top-level columns they make.
   */
  parquet(
    name: string,
    spec: ColumnSpec,
    table: TableColumns,
  ): { elements: SchemaElement[]; columns: ParquetColumn[] };
  /**
   * The SQL expression that makes PostgreSQL return the column in canonical row form, whatever the
   * driver's own parsing; `col` is already quoted. Default: the column itself.
   */
  readExpression?(col: string, spec: ColumnSpec, pgType?: string): string;
  /**
   * What turns a value read with `readExpression` into its canonical row form, or `undefined` when it
   * arrives canonical. May throw, with a message naming the value. Default: arrives canonical.
   */
  fromPostgres?(spec: ColumnSpec): ((value: unknown) => unknown) | undefined;
  /** Reading the column through binary COPY; absent when the kind cannot be (yet). */
  copy?: CopyReader;
  /** An approximate in-memory size of one row value (null included), cheap enough for every row. */
  size(spec: ColumnSpec): (value: unknown) => number;
  /**
   * The writer of non-null row values into the column's sinks (one per leaf of `parquet`'s elements, in
   * order). It takes what the kind's Valibot schema takes: canonical values on a fast path, anything else
   * through the kind's own canonicalisation; a value the schema would refuse throws, with its reason.
   */
  rows(spec: ColumnSpec, leaves: SchemaElement[], sinks: ColumnSink[], facts?: FileFacts): RowWriter;
}

/**
 * How a kind reads its column from binary COPY: the SELECT expression, and the writer of one field into
 * the column's buffer (`field`, a kind of one leaf) or buffers (`fields`, a point's two or a LIST).
 */
export interface CopyReader {
  /** The SELECT expression whose binary form the writer decodes; `col` is quoted. Default `col::pgType`. */
  select?(col: string, spec: ColumnSpec, pgType: string): string;
  /** Whether a column of `spec` can be read so (an array, by its element). Default true. */
  supports?(spec: ColumnSpec, pgType: string): boolean;
  /** The writer of non-null fields of the column into `sink`, whose Parquet element is `element`. */
  field?(
    spec: ColumnSpec,
    element: SchemaElement,
    sink: ValueSink,
    refuse: Refuse,
    facts?: FileFacts,
  ): FieldWriter;
  /** The writer of non-null fields into the column's `sinks`, one per leaf (`leaves`) of its elements. */
  fields?(
    spec: ColumnSpec,
    leaves: SchemaElement[],
    sinks: ColumnSink[],
    refuse: Refuse,
    facts?: FileFacts,
  ): FieldWriter;
}

/** A kind stored as one Parquet leaf column, usable as an array's element. */
export interface ScalarKind extends Kind {
  /** The Parquet physical type and annotations of a value (no name, no repetition). */
  physical(spec: ColumnSpec): Omit<SchemaElement, "name" | "repetition_type">;
  /** Turns one canonical non-null row value into its stored value as hyparquet reads it back. */
  toParquet(spec: ColumnSpec): (value: unknown) => unknown;
  /** The writer of non-null row values into `sink` (a column's, or an array's elements'). */
  row(spec: ColumnSpec, element: SchemaElement, sink: ValueSink, facts?: FileFacts): RowWriter;
  /** Whether arrays of this kind are read through `::text[]`, so no digit is lost to a JSON number. */
  readArrayAsText?: boolean;
  /** Whether arrays of this kind read each element through `readExpression` (its text is not canonical). */
  readArrayElements?: boolean;
}

/** The members of a {@link ScalarKind} that are not derived from `physical` and `toParquet`. */
export type ScalarKindParts =
  & Omit<ScalarKind, "parquet" | "size" | "rows">
  & Partial<Pick<ScalarKind, "size">>;

/** A scalar kind from its parts: one schema element named for the column, converted by `toParquet`. */
export function scalarKind(parts: ScalarKindParts): ScalarKind {
  return {
    size: () => fixedSize,
    ...parts,
    rows: (spec, leaves, sinks, facts) => parts.row(spec, leaves[0], sinks[0], facts),
    parquet(name, spec) {
      const convert = parts.toParquet(spec);
      const repetition_type = spec.nullable ? "OPTIONAL" : "REQUIRED";
      return {
        elements: [{ ...parts.physical(spec), name, repetition_type }],
        columns: [{ name, source: name, toParquet: (value) => value == null ? null : convert(value) }],
      };
    },
  };
}

const fixedSize = () => 16;

/** The size of a value carried as text (or null): its length and a string's overhead. */
export function textSize(value: unknown): number {
  return ((value as string | null)?.length ?? 0) + 16;
}

/** The error of a row value of the wrong type, for writers. */
export function wrongType(expected: string, value: unknown): Error {
  return new Error(`expected ${expected}, received ${describe(value)}`);
}

/** The identity conversion, for values stored as rows carry them. */
export function same(value: unknown): unknown {
  return value;
}

/** Valibot's `v.number()` as a fast check: a number that is not NaN. */
export function number(value: unknown): unknown {
  return typeof value === "number" && value === value ? value : REFUSED;
}
