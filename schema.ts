/**
 * Table definitions in depth: the types behind the column vocabulary and `defineTable` (for code that
 * handles columns generically: generators, introspection, drift checks), partition keys, and what
 * validation reports (the rejected row, an error's table, row and column). The vocabulary itself
 * (`int()`, `text()`, …) and `defineTable` are in the main entry point.
 *
 * ```ts
 * import { defineTable, int, text } from "@parquet-storage/engine";
 * import type { ColumnKind, Columns } from "@parquet-storage/engine/schema";
 *
 * const columns: Columns = { id: int(), name: text().nullable() };
 * const kinds: ColumnKind[] = Object.values(defineTable("users", columns).columns).map((c) => c.spec.kind);
 * console.assert(kinds.join() === "int,text");
 * ```
 *
 * @module
 */

export type { ErrorContext } from "./src/errors.ts";
export type {
  Column,
  ColumnKind,
  ColumnSpec,
  ColumnValue,
  GeometryOptions,
  GeoPoint,
  JsonValue,
  TimestampOptions,
} from "./src/schema/columns.ts";
export type { Columns, TableOptions } from "./src/schema/table.ts";
export type { PartitionKey, TimeGranularity } from "./src/schema/partition_key.ts";
export type { InvalidRow } from "./src/streams/validate_stream.ts";
export type { ValidationReport } from "./src/engine.ts";
