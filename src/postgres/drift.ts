// This module is browser compatible.

/**
 * Drift: where a registered table definition and the live database disagree — a missing table, a
 * missing or extra column, a type, a nullability, a primary key.
 *
 * Types are compared as the export sees them (kind, numeric precision and scale, enum name and labels,
 * array element kind, a geometry's SRID and whether it is a geography), not as text: `varchar(20)` where the definition says `text()`, or `json` where it
 * says `jsonb()`, exports the same values and is not drift. Array element nullability is not compared,
 * since PostgreSQL cannot declare it; the definition's choice is enforced by validation.
 *
 * @module
 */

import { SchemaDriftError } from "../errors.ts";
import type { Column, ColumnSpec } from "../schema/columns.ts";
import { type CatalogQuery, introspectColumns, type LiveColumn } from "./introspect.ts";
import type { TableDefinition } from "../schema/table.ts";

/** One difference between a definition and the live table. */
export interface Drift {
  /** The table. */
  table: string;
  /** The column, unless the whole table (or its primary key) differs. */
  column?: string;
  /** What differs. */
  kind: "missing_table" | "missing_column" | "extra_column" | "type" | "nullability" | "primary_key";
  /** What the definition says. */
  expected: string;
  /** What the database has. */
  found: string;
  /** One line for people, e.g. `borehole.depth_m: type numeric(7,2) expected, found text`. */
  message: string;
}

/** Options of {@link checkDrift}. */
export interface DriftOptions {
  /** The PostgreSQL schema to look in. Default: each definition's own `pgSchema`. */
  schema?: string;
}

/**
 * Compares table definitions with the live database, through catalog introspection, and returns every
 * difference (an empty list when there is no drift).
 *
 * @example
 * ```ts ignore
 * import postgres from "postgres";
 * import { checkDrift } from "./drift.ts";
 * import { listSchemas } from "../../platform/registry.ts";
 * const sql = postgres("postgres://postgres@127.0.0.1:5432/test");
 * const drift = await checkDrift((text, params) => sql.unsafe(text, params as never[]), listSchemas());
 * for (const d of drift) console.log(d.message);
 * ```
 */
export async function checkDrift(
  query: CatalogQuery,
  tables: readonly TableDefinition[],
  options: DriftOptions = {},
): Promise<Drift[]> {
  const drift: Drift[] = [];
  for (const table of tables) {
    const schema = options.schema ?? table.pgSchema;
    drift.push(...compareTable(table, await introspectColumns(query, table.name, schema), schema));
  }
  return drift;
}

/**
 * Like {@link checkDrift}, but throws a {@link SchemaDriftError} listing every difference, if any.
 *
 * @example
 * ```ts ignore
 * import { assertNoDrift } from "./drift.ts";
 * await assertNoDrift(query, [borehole]); // throws SchemaDriftError on drift
 * ```
 */
export async function assertNoDrift(
  query: CatalogQuery,
  tables: readonly TableDefinition[],
  options: DriftOptions = {},
): Promise<void> {
  const drift = await checkDrift(query, tables, options);
  if (drift.length) {
    throw new SchemaDriftError(drift.map((d) => d.message), {
      table: new Set(drift.map((d) => d.table)).size === 1 ? drift[0].table : undefined,
    });
  }
}

/**
 * Compares one definition with the live columns `introspectColumns` read (an empty list: no such table).
 *
 * @example
 * ```ts
 * import { defineTable, int, text } from "@parquet-storage/engine";
 * import { compareTable } from "./drift.ts";
 * const drift = compareTable(defineTable("t", { id: int(), name: text() }), [
 *   { name: "id", pgType: "text", nullable: false, column: text() },
 * ]);
 * console.assert(drift.map((d) => d.kind).join() === "type,missing_column");
 * ```
 */
export function compareTable(
  table: TableDefinition,
  live: readonly LiveColumn[],
  schema = "public",
): Drift[] {
  const name = table.name;
  if (!live.length) {
    return [
      drift(name, undefined, "missing_table", "a table", "none", `${name}: table missing in ${schema}`),
    ];
  }
  const out: Drift[] = [];
  const byName = new Map(live.map((c) => [c.name, c]));
  for (const [columnName, column] of Object.entries(table.columns)) {
    const found = byName.get(columnName);
    const where = `${name}.${columnName}`;
    if (!found) {
      out.push(drift(name, columnName, "missing_column", column.pgType, "none", `${where}: column missing`));
      continue;
    }
    if (!found.column || !sameType(column.spec, found.column.spec)) {
      const foundType = found.column
        ? describeType(found.column, found.pgType)
        : `${found.pgType} (no column kind)`;
      const expected = describeType(column, column.pgType);
      out.push(
        drift(
          name,
          columnName,
          "type",
          expected,
          foundType,
          `${where}: type ${expected} expected, found ${foundType}`,
        ),
      );
    }
    if (column.spec.nullable !== found.nullable) {
      const [expected, foundText] = column.spec.nullable
        ? ["nullable", "NOT NULL"]
        : ["NOT NULL", "nullable"];
      out.push(
        drift(
          name,
          columnName,
          "nullability",
          expected,
          foundText,
          `${where}: ${expected} expected, found ${foundText}`,
        ),
      );
    }
  }
  for (const found of live) {
    if (!(found.name in table.columns)) {
      out.push(
        drift(
          name,
          found.name,
          "extra_column",
          "none",
          found.pgType,
          `${name}.${found.name}: extra column of type ${found.pgType}`,
        ),
      );
    }
  }
  const livePrimaryKey = live.filter((c) => c.primaryKeyPosition !== undefined)
    .sort((a, b) => a.primaryKeyPosition! - b.primaryKeyPosition!)
    .map((c) => c.name);
  if (table.primaryKey.length && table.primaryKey.join() !== livePrimaryKey.join()) {
    const [expected, found] = [`(${table.primaryKey.join(", ")})`, `(${livePrimaryKey.join(", ")})`];
    out.push(
      drift(
        name,
        undefined,
        "primary_key",
        expected,
        found,
        `${name}: primary key ${expected} expected, found ${found}`,
      ),
    );
  }
  return out;
}

function drift(
  table: string,
  column: string | undefined,
  kind: Drift["kind"],
  expected: string,
  found: string,
  message: string,
): Drift {
  return { table, ...(column === undefined ? {} : { column }), kind, expected, found, message };
}

/** A type's name for messages: the PostgreSQL type, plus the enum labels when those are what differs. */
function describeType(column: Column, pgType: string): string {
  // The enum's own name: format_type qualifies it with its schema when that is not on the search path.
  return column.spec.kind === "enum" ? `${column.spec.enumName} (${column.spec.values?.join(", ")})` : pgType;
}

function sameType(expected: ColumnSpec, found: ColumnSpec): boolean {
  if (expected.kind !== found.kind) return false;
  switch (expected.kind) {
    case "numeric":
      return expected.precision === found.precision && (expected.scale ?? 0) === (found.scale ?? 0);
    case "enum":
      return expected.enumName === found.enumName &&
        expected.values?.join("\u0000") === found.values?.join("\u0000");
    case "array":
      return !!expected.element && !!found.element && sameType(expected.element, found.element);
    case "geometry":
      // The SRID and geography decide the file's CRS and edges; the shape (Polygon, …) changes nothing.
      return (expected.srid ?? 0) === (found.srid ?? 0) && !!expected.geography === !!found.geography;
    default:
      return true;
  }
}
