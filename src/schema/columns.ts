// This module is browser compatible.

/**
 * The column vocabulary: tiny functions (`uuid()`, `numeric(10, 2)`, `timestamptz()`, …) each returning
 * a column that knows its Valibot schema, its Parquet storage and its PostgreSQL type, so that one table
 * definition yields all three.
 *
 * @module
 */

import * as v from "valibot";
import { SchemaError } from "../errors.ts";
import {
  describe,
  formatDate,
  formatDecimal,
  formatTimestamp,
  normalizeDecimalText,
  parseDate,
  parseDecimal,
  parseTimestamp,
} from "./values.ts";

/** The kinds of column the vocabulary knows. */
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
  | "enum";

/** A geographic point, as rows carry it (WGS 84 degrees). */
export interface GeoPoint {
  /** Degrees north, -90..90. */
  latitude: number;
  /** Degrees east, -180..180. */
  longitude: number;
}

/** A JSON value, as a `jsonb` column carries it. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

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
  /** This column with SQL NULL allowed. */
  nullable(): Column<T | null>;
}

/** The value a column gives a validated row: `T`, or `T | null` for a nullable column. */
export type ColumnValue<C> = C extends Column<infer T> ? T : never;

function column<T>(spec: ColumnSpec, pgType: string, schema: v.GenericSchema<unknown, T>): Column<T> {
  return {
    spec,
    pgType,
    schema: schema as v.GenericSchema<unknown, NonNullable<T>>,
    nullable: () => column<T | null>({ ...spec, nullable: true }, pgType, schema),
  };
}

/** A check that canonicalises a value, or fails with `reason`. */
function canonical<T>(
  expects: string,
  convert: (value: unknown) => T | { reason: string },
): v.GenericSchema<unknown, T> {
  return v.pipe(
    v.unknown(),
    v.rawTransform(({ dataset, addIssue, NEVER }) => {
      const result = convert(dataset.value);
      if (typeof result === "object" && result !== null && "reason" in result) {
        addIssue({ message: result.reason, expected: expects, received: describe(dataset.value) });
        return NEVER;
      }
      return result as T;
    }),
  ) as v.GenericSchema<unknown, T>;
}

const UUID = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;

/**
 * A `uuid` column: stored as Parquet UUID (16 bytes); rows carry lowercase, dashed text.
 *
 * @example
 * ```ts
 * import { uuid } from "@parquet-storage/engine";
 * const id = uuid();
 * console.assert(id.pgType === "uuid");
 * ```
 */
export function uuid(): Column<string> {
  return column(
    { kind: "uuid", nullable: false },
    "uuid",
    canonical("uuid", (value) => {
      if (typeof value !== "string" || !UUID.test(value)) {
        return { reason: `expected a UUID, received ${describe(value)}` };
      }
      const hex = value.replaceAll("-", "").toLowerCase();
      return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${
        hex.slice(20)
      }`;
    }),
  );
}

/**
 * A `text` column (also `varchar`): stored as a UTF-8 string.
 *
 * @example
 * ```ts
 * import { text } from "@parquet-storage/engine";
 * console.assert(text().nullable().spec.nullable === true);
 * ```
 */
export function text(): Column<string> {
  return column({ kind: "text", nullable: false }, "text", v.string());
}

function integer(kind: "smallint" | "int", bits: 16 | 32): Column<number> {
  const max = 2 ** (bits - 1);
  return column(
    { kind, nullable: false },
    kind === "int" ? "integer" : "smallint",
    v.pipe(v.number(), v.integer(), v.minValue(-max), v.maxValue(max - 1)),
  );
}

/**
 * A `smallint` (int2) column: stored as INT32; rows carry numbers.
 *
 * @example
 * ```ts
 * import { smallint } from "@parquet-storage/engine";
 * console.assert(smallint().pgType === "smallint");
 * ```
 */
export function smallint(): Column<number> {
  return integer("smallint", 16);
}

/**
 * An `integer` (int4) column: stored as INT32; rows carry numbers.
 *
 * @example
 * ```ts
 * import { int } from "@parquet-storage/engine";
 * console.assert(int().pgType === "integer");
 * ```
 */
export function int(): Column<number> {
  return integer("int", 32);
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/**
 * A `bigint` (int8) column: stored as INT64; rows carry `bigint` (a safe integer or digit string is
 * accepted and converted).
 *
 * @example
 * ```ts
 * import { bigint } from "@parquet-storage/engine";
 * console.assert(bigint().pgType === "bigint");
 * ```
 */
export function bigint(): Column<bigint> {
  return column(
    { kind: "bigint", nullable: false },
    "bigint",
    canonical("bigint", (value) => {
      let result: bigint | undefined;
      if (typeof value === "bigint") result = value;
      else if (typeof value === "number" && Number.isSafeInteger(value)) result = BigInt(value);
      else if (typeof value === "string" && /^[+-]?\d+$/.test(value.trim())) result = BigInt(value.trim());
      if (result === undefined) return { reason: `expected a 64-bit integer, received ${describe(value)}` };
      if (result < INT64_MIN || result > INT64_MAX) {
        return { reason: `${value} is outside the 64-bit integer range` };
      }
      return result;
    }),
  );
}

/**
 * A `double precision` (float8) column: stored as DOUBLE.
 *
 * @example
 * ```ts
 * import { float } from "@parquet-storage/engine";
 * console.assert(float().pgType === "double precision");
 * ```
 */
export function float(): Column<number> {
  return column({ kind: "float", nullable: false }, "double precision", v.number());
}

/**
 * A `real` (float4) column: stored as FLOAT.
 *
 * @example
 * ```ts
 * import { real } from "@parquet-storage/engine";
 * console.assert(real().pgType === "real");
 * ```
 */
export function real(): Column<number> {
  return column({ kind: "real", nullable: false }, "real", v.number());
}

/**
 * A `numeric(precision, scale)` column: stored as Parquet DECIMAL, exactly (never through a float).
 * Rows carry decimal text with exactly `scale` fraction digits, as PostgreSQL prints it; strings,
 * numbers and bigints are accepted, and a value needing more digits is refused, not rounded. Without
 * arguments: an unconstrained `numeric`, stored as exact text.
 *
 * @example
 * ```ts
 * import { numeric } from "@parquet-storage/engine";
 * import * as v from "valibot";
 * console.assert(v.parse(numeric(8, 2).schema, 12.5) === "12.50");
 * ```
 */
export function numeric(precision?: number, scale = 0): Column<string> {
  if (precision === undefined) {
    return column(
      { kind: "numeric", nullable: false },
      "numeric",
      canonical("numeric", (value) => {
        const text = typeof value === "string" || typeof value === "number" || typeof value === "bigint"
          ? normalizeDecimalText(value)
          : undefined;
        return text ?? { reason: `expected a decimal number, received ${describe(value)}` };
      }),
    );
  }
  if (!Number.isInteger(precision) || precision < 1 || precision > 38) {
    throw new SchemaError(`Cannot declare numeric as precision must be 1..38: current value is ${precision}`);
  }
  if (!Number.isInteger(scale) || scale < 0 || scale > precision) {
    throw new SchemaError(
      `Cannot declare numeric(${precision}) as scale must be 0..${precision}: current value is ${scale}`,
    );
  }
  return column(
    { kind: "numeric", nullable: false, precision, scale },
    `numeric(${precision},${scale})`,
    canonical(`numeric(${precision},${scale})`, (value) => {
      if (typeof value !== "string" && typeof value !== "number" && typeof value !== "bigint") {
        return { reason: `expected a decimal number, received ${describe(value)}` };
      }
      const unscaled = parseDecimal(value, precision, scale);
      return typeof unscaled === "string" ? { reason: unscaled } : formatDecimal(unscaled, scale);
    }),
  );
}

/**
 * A `boolean` column.
 *
 * @example
 * ```ts
 * import { boolean } from "@parquet-storage/engine";
 * console.assert(boolean().pgType === "boolean");
 * ```
 */
export function boolean(): Column<boolean> {
  return column({ kind: "boolean", nullable: false }, "boolean", v.boolean());
}

/**
 * A `date` column: stored as Parquet DATE; rows carry `YYYY-MM-DD` text (a `Date` is taken at its UTC day).
 *
 * @example
 * ```ts
 * import { date } from "@parquet-storage/engine";
 * import * as v from "valibot";
 * console.assert(v.parse(date().schema, new Date("2026-11-25T10:00:00Z")) === "2026-11-25");
 * ```
 */
export function date(): Column<string> {
  return column(
    { kind: "date", nullable: false },
    "date",
    canonical("date", (value) => {
      const days = parseDate(value);
      return typeof days === "string" ? { reason: days } : formatDate(days);
    }),
  );
}

/** Options of `timestamp()` and `timestamptz()`. */
export interface TimestampOptions {
  /** Stored unit. Default `"micros"`, as PostgreSQL keeps; `"millis"` truncates, by your explicit choice. */
  unit?: "micros" | "millis";
}

function timestampColumn(withZone: boolean, { unit = "micros" }: TimestampOptions): Column<string> {
  const kind = withZone ? "timestamptz" : "timestamp";
  const spec: ColumnSpec = unit === "micros" ? { kind, nullable: false } : { kind, nullable: false, unit };
  return column(
    spec,
    withZone ? "timestamp with time zone" : "timestamp without time zone",
    canonical(kind, (value) => {
      const micros = parseTimestamp(value, withZone);
      return typeof micros === "string"
        ? { reason: micros }
        : formatTimestamp(micros, withZone, unit === "micros" ? 6 : 3);
    }),
  );
}

/**
 * A `timestamp without time zone` column: stored as Parquet TIMESTAMP(isAdjustedToUTC=false), microseconds
 * by default. Rows carry `YYYY-MM-DDTHH:MM:SS.ffffff` text (exact; `Date` and bigint microseconds accepted).
 *
 * @example
 * ```ts
 * import { timestamp } from "@parquet-storage/engine";
 * import * as v from "valibot";
 * console.assert(v.parse(timestamp().schema, "2026-11-25 04:05:06.123456") === "2026-11-25T04:05:06.123456");
 * ```
 */
export function timestamp(options: TimestampOptions = {}): Column<string> {
  return timestampColumn(false, options);
}

/**
 * A `timestamp with time zone` column: stored as Parquet TIMESTAMP(isAdjustedToUTC=true), microseconds by
 * default. Rows carry UTC text `YYYY-MM-DDTHH:MM:SS.ffffffZ`; offsets in the input are applied.
 *
 * @example
 * ```ts
 * import { timestamptz } from "@parquet-storage/engine";
 * import * as v from "valibot";
 * const value = v.parse(timestamptz().schema, "2026-11-25 06:05:06.5+02");
 * console.assert(value === "2026-11-25T04:05:06.500000Z");
 * ```
 */
export function timestamptz(options: TimestampOptions = {}): Column<string> {
  return timestampColumn(true, options);
}

/**
 * A `jsonb` (or `json`) column: stored as Parquet JSON; rows carry the parsed value.
 *
 * @example
 * ```ts
 * import { jsonb } from "@parquet-storage/engine";
 * console.assert(jsonb().pgType === "jsonb");
 * ```
 */
export function jsonb(): Column<JsonValue> {
  return column(
    { kind: "jsonb", nullable: false },
    "jsonb",
    canonical("jsonb", (value) => {
      try {
        if (value === undefined || typeof value === "function" || typeof value === "symbol") {
          throw new Error();
        }
        JSON.stringify(value);
        return value as JsonValue;
      } catch {
        return { reason: `expected a JSON value, received ${describe(value)}` };
      }
    }),
  );
}

/**
 * A `geography(Point,4326)` column: stored as two DOUBLE columns, `<name>_latitude` and `<name>_longitude`
 * (or `latitude`/`longitude` when it is the table's only point). Rows carry `{ latitude, longitude }`;
 * GeoJSON points are accepted.
 *
 * @example
 * ```ts
 * import { geographyPoint } from "@parquet-storage/engine";
 * import * as v from "valibot";
 * const point = v.parse(geographyPoint().schema, { type: "Point", coordinates: [-1.5, 53.8] });
 * console.assert(point.latitude === 53.8 && point.longitude === -1.5);
 * ```
 */
export function geographyPoint(): Column<GeoPoint> {
  return column(
    { kind: "point", nullable: false },
    "geography(Point,4326)",
    canonical("point", (value) => {
      const point = toPoint(value);
      if (!point) {
        return { reason: `expected { latitude, longitude } or a GeoJSON Point, received ${describe(value)}` };
      }
      if (!(Math.abs(point.latitude) <= 90) || !(Math.abs(point.longitude) <= 180)) {
        return { reason: `latitude ${point.latitude}, longitude ${point.longitude} is not on Earth` };
      }
      return point;
    }),
  );
}

function toPoint(value: unknown): GeoPoint | undefined {
  if (typeof value !== "object" || value === null) return undefined;
  const record = value as Record<string, unknown>;
  if (record.type === "Point" && Array.isArray(record.coordinates)) {
    const [longitude, latitude] = record.coordinates;
    return typeof latitude === "number" && typeof longitude === "number"
      ? { latitude, longitude }
      : undefined;
  }
  const { latitude, longitude } = record;
  return typeof latitude === "number" && typeof longitude === "number" ? { latitude, longitude } : undefined;
}

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

/** Rebuilds a column from its serialised spec (as stored in Parquet key-value metadata). */
export function columnFromSpec(spec: ColumnSpec): Column {
  const base = baseColumn(spec);
  return spec.nullable ? base.nullable() : base;
}

function baseColumn(spec: ColumnSpec): Column {
  switch (spec.kind) {
    case "uuid":
      return uuid();
    case "text":
      return text();
    case "smallint":
      return smallint();
    case "int":
      return int();
    case "bigint":
      return bigint();
    case "real":
      return real();
    case "float":
      return float();
    case "numeric":
      return numeric(spec.precision, spec.scale);
    case "boolean":
      return boolean();
    case "date":
      return date();
    case "timestamp":
      return timestamp({ unit: spec.unit });
    case "timestamptz":
      return timestamptz({ unit: spec.unit });
    case "jsonb":
      return jsonb();
    case "point":
      return geographyPoint();
    case "array":
      if (!spec.element) throw new SchemaError("Cannot rebuild an array column without its element");
      return array(columnFromSpec(spec.element));
    case "enum":
      return enumOf(spec.enumName ?? "enum", spec.values ?? []);
    default:
      throw new SchemaError(`Unknown column kind: ${JSON.stringify((spec as ColumnSpec).kind)}`);
  }
}
