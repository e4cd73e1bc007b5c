// This module is browser compatible.

/**
 * One definition per table: a name and columns from the vocabulary, from which come the Valibot schema
 * (and the row type), the Parquet schema and the expected PostgreSQL types.
 *
 * @module
 */

import * as v from "valibot";
import { SchemaError } from "../errors.ts";
import { type Column, columnFromSpec, type ColumnSpec } from "./columns.ts";

/** The columns of a table, by name, in order. */
// deno-lint-ignore no-explicit-any
export type Columns = Record<string, Column<any>>;

/** The row type a table definition validates to. */
export type InferRow<C extends Columns> = { [K in keyof C]: C[K] extends Column<infer T> ? T : never };

/** A row as it flows through the streams: column name to value. */
export type Row = Record<string, unknown>;

/** Options of {@link defineTable}. */
export interface TableOptions {
  /** The primary key columns, in order. */
  primaryKey?: readonly string[];
  /** The PostgreSQL schema the table lives in. Default `"public"`. */
  pgSchema?: string;
  /** The column an incremental export follows (rows changed since the last batch). */
  watermark?: string;
}

/**
 * A table definition. It is itself a Valibot schema (strict: unknown columns are issues), so
 * `v.parse(table, row)` validates a row and `v.InferOutput<typeof table>` is the row type.
 */
export interface TableDefinition<C extends Columns = Columns> extends v.GenericSchema<unknown, InferRow<C>> {
  /** The table name. */
  readonly name: string;
  /** The columns, in order. */
  readonly columns: C;
  /** The primary key columns. */
  readonly primaryKey: readonly string[];
  /** The PostgreSQL schema. */
  readonly pgSchema: string;
  /** The incremental watermark column, if any. */
  readonly watermark?: string;
  /** The same schema, but dropping unknown columns instead of refusing them. */
  readonly loose: v.GenericSchema<unknown, InferRow<C>>;
}

// Any name PostgreSQL can hold once quoted (the SQL we send quotes every identifier), so long as it has
// no control character; folders and files get a safe spelling of it (see safeName).
const NAME = /^[^\p{Cc}]+$/u;

/**
 * Declares a table once: its columns give validation, the Parquet schema and PostgreSQL types.
 *
 * @example
 * ```ts
 * import { defineTable, uuid, numeric, text, timestamptz } from "@parquet-storage/engine";
 * import * as v from "valibot";
 *
 * const borehole = defineTable("borehole", {
 *   id: uuid(),
 *   name: text(),
 *   depth_m: numeric(8, 2).nullable(),
 *   created_at: timestamptz(),
 * }, { primaryKey: ["id"] });
 *
 * const row = v.parse(borehole, {
 *   id: "8E0F4B9A-2C1D-4E5F-8A9B-0C1D2E3F4A5B",
 *   name: "BH-01",
 *   depth_m: 12.5,
 *   created_at: "2026-11-25 04:05:06.123456+00",
 * });
 * console.assert(row.depth_m === "12.50");
 * ```
 */
export function defineTable<const C extends Columns>(
  name: string,
  columns: C,
  options: TableOptions = {},
): TableDefinition<C> {
  if (!NAME.test(name)) {
    throw new SchemaError(
      `Cannot define a table as its name is empty or has a control character: ${JSON.stringify(name)}`,
    );
  }
  const names = Object.keys(columns);
  if (!names.length) throw new SchemaError("Cannot define a table without columns", { table: name });
  for (const column of names) {
    if (!NAME.test(column)) {
      throw new SchemaError(`Column name is empty or has a control character: ${JSON.stringify(column)}`, {
        table: name,
        column,
      });
    }
  }
  for (const key of [...(options.primaryKey ?? []), ...(options.watermark ? [options.watermark] : [])]) {
    if (!(key in columns)) {
      throw new SchemaError(`Key column is not in the table`, { table: name, column: key });
    }
  }
  const entries = Object.fromEntries(
    names.map((column) => {
      const { spec, schema } = columns[column];
      return [column, spec.nullable ? v.nullish(schema, null) : schema];
    }),
  );
  const strict = v.strictObject(entries) as unknown as v.GenericSchema<unknown, InferRow<C>>;
  return {
    ...strict,
    name,
    columns,
    primaryKey: options.primaryKey ?? [],
    pgSchema: options.pgSchema ?? "public",
    watermark: options.watermark,
    loose: v.object(entries) as unknown as v.GenericSchema<unknown, InferRow<C>>,
  };
}

/** The key under which a Parquet file's key-value metadata records its table definition. */
export const TABLE_METADATA_KEY = "parquet_storage.table";

/** The serialisable form of a table definition, as recorded in Parquet key-value metadata. */
export interface TableSpec {
  /** The table name. */
  name: string;
  /** Column specs in order. */
  columns: { name: string; spec: ColumnSpec }[];
  /** The primary key columns. */
  primaryKey?: readonly string[];
}

/** Serialises a table definition (for Parquet key-value metadata and manifests). */
export function tableSpec(table: TableDefinition): TableSpec {
  return {
    name: table.name,
    columns: Object.entries(table.columns).map(([name, column]) => ({ name, spec: column.spec })),
    ...(table.primaryKey.length ? { primaryKey: table.primaryKey } : {}),
  };
}

/** Rebuilds a table definition from its serialised form. */
export function tableFromSpec(spec: TableSpec): TableDefinition {
  const columns: Columns = Object.fromEntries(spec.columns.map((c) => [c.name, columnFromSpec(c.spec)]));
  return defineTable(spec.name, columns, { primaryKey: spec.primaryKey });
}
