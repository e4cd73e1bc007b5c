// This module is browser compatible.

/**
 * PostgreSQL catalog → table definition, for tables not declared in `platform/` (the SQL that reads
 * them in canonical form is in `read_sql.ts`).
 *
 * No driver here: queries go through a {@link CatalogQuery}, a function the caller builds from its own
 * client. With postgres.js: `(text, params) => sql.unsafe(text, params as never[])`.
 *
 * Mapping (`format_type` text on the left): `uuid` → uuid; `text`, `character varying(n)`, `character(n)`,
 * `citext` → text; `smallint` → smallint; `integer` → int; `bigint` → bigint; `real` → real; `double
 * precision` → float; `numeric(p,s)` → numeric(p,s) (when 1 ≤ p ≤ 38 and 0 ≤ s ≤ p, else the exact-text
 * `numeric()`, since Parquet DECIMAL stops at 38 digits); `numeric` → numeric(); `boolean`; `date`;
 * `timestamp[(n)] without time zone` → timestamp; `timestamp[(n)] with time zone` → timestamptz; `json`,
 * `jsonb` → jsonb; `bytea`; `time`, `timetz`; `interval`; `money` → numeric(19,2); `geography(Point[,4326])`,
 * `geometry(Point,4326)` and PostgreSQL's `point` → geographyPoint; any other geometry or geography (any
 * shape, any SRID, untyped) → geometry({ srid, geography }); enum types → enumOf(type name, labels in sort
 * order); ranges, multiranges, composite types (a user's `CREATE TYPE … AS (…)`, PostGIS topology's
 * `topogeometry`), citext and every other built-in type (inet, cidr, macaddr, xml, tsvector, oid, bit,
 * varbit, …) → text in their canonical form (`(1,2,3,1)` for a composite); one-dimensional arrays of
 * those scalars → array(element, elements nullable, as PostgreSQL cannot forbid NULL elements). A domain
 * maps as its base type, and its NOT NULL counts; `point[]` is text[], arrays of PostGIS geometries and
 * geographies are LISTs of WKB (bytea). What is left (arrays of two or more dimensions, types of
 * extensions other than PostGIS and citext, such as hstore) is a {@link SchemaError} naming
 * table, column and type, unless `unmappedAsText` is set: then the column is text, read `::text`.
 *
 * Why one file: the catalog queries and the type mapping above are one table's introspection; the mapping
 * is most of its length.
 *
 * @module
 */

import { SchemaError, SourceError } from "../errors.ts";
import {
  array,
  bigint,
  boolean,
  bytea,
  type Column,
  date,
  enumOf,
  float,
  geographyPoint,
  geometry,
  int,
  interval,
  jsonb,
  numeric,
  real,
  smallint,
  text,
  time,
  timestamp,
  timestamptz,
  timetz,
  uuid,
} from "../schema/columns.ts";
import { type Columns, defineTable, type TableDefinition } from "../schema/table.ts";

/**
 * Runs one parameterised catalog query (`$1`, `$2`, …) and returns its rows as plain objects.
 * With postgres.js: `const query: CatalogQuery = (text, params) => sql.unsafe(text, params as never[]);`
 */
export type CatalogQuery = (sql: string, params: unknown[]) => Promise<Record<string, unknown>[]>;

/** Options of {@link introspectTable}. */
export interface IntrospectOptions {
  /** The PostgreSQL schema (namespace) of the table. Default `"public"`. */
  schema?: string;
  /** Map types with no column kind to text (read with `::text`) instead of failing. Default `false`. */
  unmappedAsText?: boolean;
  /** The column an incremental export follows, recorded on the definition. */
  watermark?: string;
  /** Where to record the columns `unmappedAsText` made text (for the export to say so). */
  asText?: AsTextColumn[];
}

/** A column read as text only because of `unmappedAsText`: its type has no mapping. */
export interface AsTextColumn {
  /** The table. */
  table: string;
  /** The column. */
  column: string;
  /** Its PostgreSQL type. */
  pgType: string;
}

/** One column as the catalog describes it (after resolving a domain to its base type). */
interface CatalogColumn {
  name: string;
  notNull: boolean;
  declaredType: string;
  baseType: string;
  typeText: string;
  typeName: string;
  typeSchema: string;
  typeKind: string;
  dimensions: number;
  elementText: string | null;
  elementName: string | null;
  elementSchema: string | null;
  elementKind: string | null;
  enumValues: string[] | null;
  pkPosition: number | null;
}

const COLUMNS_SQL = `
SELECT a.attname AS name,
       (a.attnotnull OR coalesce(d.typnotnull, false)) AS not_null,
       format_type(a.atttypid, a.atttypmod) AS declared_type,
       format_type(t.oid, b.typmod) AS type_text,
       t.typname AS type_name, tn.nspname AS type_schema, t.typtype AS type_kind,
       a.attndims AS dimensions,
       format_type(e.oid, CASE WHEN e0.typtype = 'd' THEN e0.typtypmod ELSE b.typmod END) AS element_text,
       CASE WHEN e0.typtype = 'd' THEN format_type(e.oid, e0.typtypmod) || '[]'
            ELSE format_type(t.oid, b.typmod) END AS base_type,
       e.typname AS element_name, en.nspname AS element_schema, e.typtype AS element_kind,
       (SELECT json_agg(l.enumlabel ORDER BY l.enumsortorder)::text
          FROM pg_enum l WHERE l.enumtypid = coalesce(e.oid, t.oid)) AS enum_values,
       array_position(pk.conkey, a.attnum) AS pk_position
  FROM pg_class c
  JOIN pg_namespace n ON n.oid = c.relnamespace
  JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
  LEFT JOIN pg_type d ON d.oid = a.atttypid AND d.typtype = 'd'
  CROSS JOIN LATERAL (SELECT coalesce(d.typbasetype, a.atttypid) AS oid,
                             CASE WHEN d.oid IS NULL THEN a.atttypmod ELSE d.typtypmod END AS typmod) b
  JOIN pg_type t ON t.oid = b.oid
  JOIN pg_namespace tn ON tn.oid = t.typnamespace
  LEFT JOIN pg_type e0 ON e0.oid = t.typelem AND t.typcategory = 'A'
  LEFT JOIN pg_type e ON e.oid = CASE WHEN e0.typtype = 'd' THEN e0.typbasetype ELSE e0.oid END
  LEFT JOIN pg_namespace en ON en.oid = e.typnamespace
  LEFT JOIN pg_constraint pk ON pk.conrelid = c.oid AND pk.contype = 'p'
 WHERE n.nspname = $1 AND c.relname = $2 AND c.relkind IN ('r', 'p', 'v', 'm', 'f')
 ORDER BY a.attnum`;

const TABLES_SQL = `
SELECT c.relname AS name
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE n.nspname = $1 AND c.relkind IN ('r', 'p') AND NOT c.relispartition
 ORDER BY c.relname`;

/** One live column: its catalog type and, when the type has a mapping, the column it maps to. */
export interface LiveColumn {
  /** The column name. */
  name: string;
  /** The declared type as `format_type` prints it (`numeric(7,2)`, `interval`, `my_domain`, …). */
  pgType: string;
  /** The type a domain (or an array's domain elements) is over, as `format_type` prints it; else `pgType`. */
  baseType?: string;
  /** Whether SQL NULL is allowed (no NOT NULL on the column or its domain). */
  nullable: boolean;
  /** The mapped column (not yet `.nullable()`), or `undefined` for a type with no mapping. */
  column: Column | undefined;
  /** 1-based position in the primary key, if the column is part of it. */
  primaryKeyPosition?: number;
}

/**
 * Reads a live table's columns from the catalog, in order, mapping each type it can. Returns an empty
 * list when the table does not exist. {@link introspectTable} builds on it; the drift check uses it to
 * name unmapped types instead of failing.
 *
 * @example
 * ```ts ignore
 * import postgres from "postgres";
 * import { introspectColumns } from "./introspect.ts";
 * const sql = postgres("postgres://postgres@127.0.0.1:5432/test");
 * const columns = await introspectColumns((text, params) => sql.unsafe(text, params as never[]), "borehole");
 * console.log(columns.map((c) => `${c.name} ${c.pgType}`));
 * ```
 */
export async function introspectColumns(
  query: CatalogQuery,
  table: string,
  schema = "public",
): Promise<LiveColumn[]> {
  return liveColumns(await query(COLUMNS_SQL, [schema, table]));
}

/**
 * Live columns from catalog rows shaped as `introspectColumns`'s query returns them (`name`, `not_null`,
 * `declared_type`, `type_text`, `type_name`, …), for sources other than a table, such as a query's
 * result columns.
 *
 * @example
 * ```ts ignore
 * const columns = liveColumns(await query(QUERY_COLUMNS_SQL, [json]));
 * ```
 */
export function liveColumns(rows: Record<string, unknown>[]): LiveColumn[] {
  return rows.map((row) => {
    const catalog = catalogColumn(row);
    return {
      name: catalog.name,
      pgType: catalog.declaredType,
      ...(catalog.baseType === catalog.declaredType ? {} : { baseType: catalog.baseType }),
      nullable: !catalog.notNull,
      column: mapColumn(catalog),
      ...(catalog.pkPosition === null ? {} : { primaryKeyPosition: catalog.pkPosition }),
    };
  });
}

/**
 * Builds the table definition of a live table (or view) from the PostgreSQL catalog: columns in order,
 * their kinds and nullability, enum labels, and the primary key.
 *
 * @throws {SourceError} when the table does not exist.
 * @throws {SchemaError} for a column type with no mapping (unless `unmappedAsText`).
 * @example
 * ```ts ignore
 * import postgres from "postgres";
 * import { introspectTable } from "./introspect.ts";
 * const sql = postgres("postgres://postgres@127.0.0.1:5432/test");
 * const borehole = await introspectTable((text, params) => sql.unsafe(text, params as never[]), "borehole");
 * console.log(Object.keys(borehole.columns));
 * ```
 */
export async function introspectTable(
  query: CatalogQuery,
  table: string,
  { schema = "public", unmappedAsText = false, watermark, asText }: IntrospectOptions = {},
): Promise<TableDefinition> {
  const live = await introspectColumns(query, table, schema);
  if (!live.length) {
    throw new SourceError(`Cannot introspect ${schema}.${table}: no such table, or it has no columns`, {
      table,
    });
  }
  return definitionOf(table, live, { schema, unmappedAsText, watermark, asText });
}

/**
 * The table definition of live columns (see {@link liveColumns}): each mapped kind, nullable where
 * SQL NULL is allowed, the primary key.
 *
 * @throws {SchemaError} for a column type with no mapping (unless `unmappedAsText`).
 * @example
 * ```ts
 * import { definitionOf } from "./introspect.ts";
 * const table = definitionOf("q", [{ name: "n", pgType: "text", nullable: true, column: undefined }], {
 *   unmappedAsText: true,
 * });
 * console.assert(Object.keys(table.columns)[0] === "n");
 * ```
 */
export function definitionOf(
  table: string,
  live: LiveColumn[],
  { schema = "public", unmappedAsText = false, watermark, asText }: IntrospectOptions = {},
): TableDefinition {
  const columns: Columns = {};
  for (const { name, pgType: declared, baseType, nullable, column: mapped } of live) {
    // A domain reads as its base type: what the kinds below need to know is the base type's name.
    const pgType = baseType ?? declared;
    let column = mapped;
    if (!column) {
      if (!unmappedAsText) {
        throw new SchemaError(
          `Cannot map PostgreSQL type ${declared} to a column kind; pass unmappedAsText to read it as text`,
          { table, column: name },
        );
      }
      column = text();
      asText?.push({ table, column: name, pgType: declared });
    }
    columns[name] = nullable ? column.nullable() : column;
    // PostgreSQL's own point (x = longitude, y = latitude) reads differently from a PostGIS one.
    if (pgType === "point") columns[name] = { ...columns[name], pgType: "point" };
    // character(n) keeps the padding PostgreSQL stores: the text kind reads it through bpchar's output.
    // money reads through numeric (its own text is its locale's): the kind needs to know it is money.
    if (pgType === "money" || pgType === "money[]") columns[name] = { ...columns[name], pgType };
    // inet too: its `::text` adds a netmask its own text does not show (`1.2.3.4/32`).
    if (/^character(?:\(\d+\))?$/.test(pgType) || pgType === "inet") {
      columns[name] = { ...columns[name], pgType };
    }
    // An array of a type read as text (inet[], char(n)[], a range's, …) keeps its declared type, so that
    // binary COPY takes only those whose elements arrive as their text (see the array kind).
    // So does an array of geometries, whose elements are read through ST_AsBinary.
    const element = columns[name].spec.element?.kind;
    if (pgType.endsWith("[]") && (element === "text" || (element === "bytea" && pgType !== "bytea[]"))) {
      columns[name] = { ...columns[name], pgType };
    }
  }
  const primaryKey = live.filter((c) => c.primaryKeyPosition !== undefined)
    .sort((a, b) => a.primaryKeyPosition! - b.primaryKeyPosition!)
    .map((c) => c.name);
  return defineTable(table, columns, { primaryKey, pgSchema: schema, watermark });
}

/**
 * Lists the tables of a PostgreSQL schema (ordinary and partitioned tables, not partitions or views),
 * sorted by name.
 *
 * @example
 * ```ts ignore
 * import postgres from "postgres";
 * import { listTables } from "./introspect.ts";
 * const sql = postgres("postgres://postgres@127.0.0.1:5432/test");
 * console.log(await listTables((text, params) => sql.unsafe(text, params as never[]), "public"));
 * ```
 */
export async function listTables(query: CatalogQuery, schema = "public"): Promise<string[]> {
  return (await query(TABLES_SQL, [schema])).map((row) => String(row.name));
}

function catalogColumn(row: Record<string, unknown>): CatalogColumn {
  const textOrNull = (value: unknown) => value === null || value === undefined ? null : String(value);
  const enums = row.enum_values;
  return {
    name: String(row.name),
    notNull: row.not_null === true || row.not_null === "t",
    // format_type prints every array as one-dimensional; say what was declared.
    declaredType: Number(row.dimensions ?? 0) > 1 && String(row.declared_type).endsWith("[]")
      ? String(row.declared_type).slice(0, -2) + "[]".repeat(Number(row.dimensions))
      : String(row.declared_type),
    baseType: String(row.base_type ?? row.declared_type),
    typeText: String(row.type_text),
    typeName: String(row.type_name),
    typeSchema: String(row.type_schema),
    typeKind: String(row.type_kind),
    dimensions: Number(row.dimensions ?? 0),
    elementText: textOrNull(row.element_text),
    elementName: textOrNull(row.element_name),
    elementSchema: textOrNull(row.element_schema),
    elementKind: textOrNull(row.element_kind),
    // A driver may or may not parse json; accept either.
    enumValues: enums === null || enums === undefined
      ? null
      : (typeof enums === "string" ? JSON.parse(enums) : enums) as string[],
    pkPosition: row.pk_position === null || row.pk_position === undefined ? null : Number(row.pk_position),
  };
}

function mapColumn(row: CatalogColumn): Column | undefined {
  if (row.elementName !== null) {
    if (row.dimensions > 1) return undefined;
    const element = mapScalar(row.elementName, row.elementSchema!, row.elementKind!, row.elementText!, row);
    if (!element) return undefined;
    // PostgreSQL's point[] as its text, as its other geometric types; PostGIS arrays as LISTs of WKB.
    if (element.spec.kind === "point" && row.elementSchema === "pg_catalog") return array(text().nullable());
    if (element.spec.kind === "point" || element.spec.kind === "geometry") return array(bytea().nullable());
    return array(element.nullable());
  }
  return mapScalar(row.typeName, row.typeSchema, row.typeKind, row.typeText, row);
}

const BUILT_IN: Record<string, () => Column> = {
  uuid,
  text,
  varchar: text,
  bpchar: text,
  int2: smallint,
  int4: int,
  int8: bigint,
  float4: real,
  float8: float,
  bool: boolean,
  date,
  timestamp: () => timestamp(),
  timestamptz: () => timestamptz(),
  json: jsonb,
  jsonb,
  bytea,
  time,
  timetz,
  interval,
  // DECIMAL(19,2): money is an int64 of cents; read with `::numeric(19,2)`, not its locale's text.
  money: () => numeric(19, 2),
};

const POSTGIS_TEXT = new Set(["box2d", "box3d", "raster", "spheroid"]);

const NUMERIC_TYPMOD = /^numeric\((\d+),(-?\d+)\)$/;
// format_type may qualify an extension's type with its schema when that schema is not on the search path.
const POINT_TYPMOD = /^(?:[^(]*\.)?(geography|geometry)\(Point(?:,(\d+))?\)$/i;

function mapScalar(
  name: string,
  schema: string,
  kind: string,
  typeText: string,
  row: CatalogColumn,
): Column | undefined {
  if (kind === "e") return row.enumValues?.length ? enumOf(name, row.enumValues) : undefined;
  if (schema === "pg_catalog") {
    if (name === "numeric") {
      const match = NUMERIC_TYPMOD.exec(typeText);
      if (!match) return numeric();
      const [precision, scale] = [Number(match[1]), Number(match[2])];
      // Outside Parquet DECIMAL's reach (or PostgreSQL 15's negative scales): exact text instead.
      return precision <= 38 && scale >= 0 && scale <= precision ? numeric(precision, scale) : numeric();
    }
    if (name === "point") return geographyPoint();
    // Every other built-in type (inet, cidr, macaddr, xml, tsvector, oid, bit, varbit, the geometric
    // types, …) is its canonical text; character(n) keeps its padding (see introspectTable).
    return BUILT_IN[name]?.() ?? text();
  }
  // Ranges and multiranges, of any element type, and composite types, whatever their fields: their
  // canonical text (`[1,5)`, `{[1,3),[5,7)}`, `(1,2,3,1)`), which PostgreSQL casts back.
  if (kind === "r" || kind === "m" || kind === "c") return text();
  if (name === "citext") return text();
  if (name === "geography" || name === "geometry") {
    const match = POINT_TYPMOD.exec(typeText);
    const srid = Number(/,(\d+)\)$/.exec(typeText)?.[1] ?? 0);
    // A 2-D point in WGS 84 keeps the prototype's latitude/longitude columns (its coordinates as they
    // are); any other shape, or a point in another SRID, is WKB in its own CRS: never reprojected.
    if (match && (srid || (name === "geography" ? 4326 : 0)) === 4326) return geographyPoint();
    return geometry({ srid, geography: name === "geography" });
  }
  // PostGIS's other types (box2d, box3d, …): their canonical text.
  if (POSTGIS_TEXT.has(name) && row.typeSchema === schema) return text();
  return undefined;
}
