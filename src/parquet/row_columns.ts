// This module is browser compatible.

/**
 * The rows door: each row's values written straight into the column buffers of the row group being
 * built, column by column, by each column's kind (no array of JS values per row group, no row kept).
 *
 * @module
 */

import type { SchemaElement } from "hyparquet";
import type { FileFacts, RowWriter } from "../schema/kinds/kind.ts";
import { kindOf } from "../schema/kinds/registry.ts";
import type { Row, TableDefinition } from "../schema/table.ts";
import { ColumnBuffer } from "./column_buffer.ts";
import { type Leaf, parquetLeaves } from "./leaves.ts";

/** Why a row value could not be written, and in which column. */
export class RowValueError extends Error {
  /** The table column. */
  readonly column: string;

  /** Builds the error of `column`'s value. */
  constructor(column: string, reason: string, cause?: unknown) {
    super(reason, cause === undefined ? undefined : { cause });
    this.column = column;
  }
}

interface ColumnWriter {
  name: string;
  nullable: boolean;
  write: RowWriter;
  sinks: ColumnBuffer[];
}

/** The column buffers of one table's row group, filled a row at a time. */
export class RowColumns {
  /** The file's leaf columns, in order. */
  readonly leaves: Leaf[];
  /** One buffer per leaf: the row group being built. */
  readonly buffers: ColumnBuffer[];
  /** Rows in the buffers. */
  rows = 0;
  /** What the values written so far add up to (geometry extents), for the file's footer. */
  readonly facts: FileFacts = { geometries: new Map() };
  #writers: ColumnWriter[] = [];

  /** Buffers for `table`, whose flattened Parquet schema (root first) is `schema`. */
  constructor(table: TableDefinition, schema: SchemaElement[]) {
    this.leaves = parquetLeaves(schema);
    this.buffers = this.leaves.map((leaf) => new ColumnBuffer(leaf.shape));
    let leaf = 0;
    for (const [name, { spec }] of Object.entries(table.columns)) {
      const kind = kindOf(spec);
      const count = kind.parquet(name, spec, table).elements.filter((e) => !e.num_children).length;
      const sinks = this.buffers.slice(leaf, leaf + count);
      const elements = this.leaves.slice(leaf, leaf + count).map((l) => l.element);
      this.#writers.push({
        name,
        nullable: spec.nullable,
        write: kind.rows(spec, elements, sinks, this.facts),
        sinks,
      });
      leaf += count;
    }
  }

  /**
   * Writes one row. A value its column cannot take throws a {@link RowValueError}; the row group is then
   * unusable (the stream it belongs to fails).
   */
  add(row: Row): void {
    const writers = this.#writers;
    let i = 0;
    try {
      for (; i < writers.length; i++) {
        const writer = writers[i];
        const value = row[writer.name];
        if (value !== null && value !== undefined) writer.write(value);
        else if (writer.nullable) { for (const sink of writer.sinks) sink.addNull(); }
        else throw new Error("null in a column that is not nullable");
      }
    } catch (cause) {
      throw new RowValueError(writers[i].name, (cause as Error).message, cause);
    }
    this.rows++;
  }

  /**
   * Writes one row given as its values in table column order (`values[i]` is the i-th column's; null
   * or undefined for NULL), as a checked row's values come: no row object needed.
   */
  addValues(values: readonly unknown[]): void {
    const writers = this.#writers;
    let i = 0;
    try {
      for (; i < writers.length; i++) {
        const writer = writers[i];
        const value = values[i];
        if (value !== null && value !== undefined) writer.write(value);
        else if (writer.nullable) { for (const sink of writer.sinks) sink.addNull(); }
        else throw new Error("null in a column that is not nullable");
      }
    } catch (cause) {
      throw new RowValueError(writers[i].name, (cause as Error).message, cause);
    }
    this.rows++;
  }

  /** Empties the buffers for the next row group. */
  reset(): void {
    for (const buffer of this.buffers) buffer.reset();
    this.rows = 0;
  }
}
