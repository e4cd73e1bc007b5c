// This module is browser compatible.

/**
 * The partition stage: each validated row tagged with its hive-style folder (`project_id=7/created_at_month=2026-11`)
 * and stripped of the partition columns, which the folder now carries.
 *
 * @module
 */

import { ParquetStorageError, ValidationError } from "../errors.ts";
import { defineTable, type Row, type TableDefinition } from "../schema/table.ts";
import { keyEntry, parsePartitionBy, type PartitionKey, partitionText } from "../schema/partition_key.ts";
import { MAX_SEGMENT_BYTES, partitionSegment, segmentBytes } from "../schema/partition_path.ts";

/** A row routed to its partition. */
export interface PartitionedRow {
  /** The partition's folder below the dataset root, `/`-separated and escaped: `project_id=7/status=open`. */
  path: string;
  /** The partition's values by key name, as unescaped text (`null` for SQL NULL). */
  values: Record<string, string | null>;
  /** The row without the partition columns (a time key's source column stays). */
  row: Row;
}

/**
 * Routes rows to hive-style partitions. Keys are columns (`"status"`) or time granularities of date and
 * timestamp columns (`"created_at:month"`, also `year`, `day`, `hour`); several keys nest in order.
 * Values are escaped as `partition_path.ts` documents; SQL NULL goes to `__HIVE_DEFAULT_PARTITION__`.
 *
 * Rows must be validated (canonical) first. The key columns are removed from each row: files inside
 * partitions are written with {@link PartitionStream.fileTable}, as query engines expect of hive
 * datasets (with `keepPartitionColumns`, as Iceberg tables want them, rows and files keep every column).
 *
 * @example
 * ```ts
 * import { defineTable, int, PartitionStream, text, timestamptz } from "@parquet-storage/engine";
 * const table = defineTable("events", { project_id: int(), at: timestamptz(), note: text() });
 * const routed = await Array.fromAsync(
 *   ReadableStream.from([{ project_id: 7, at: "2026-11-25T04:05:06.000000Z", note: "a/b" }])
 *     .pipeThrough(new PartitionStream(table, ["project_id", "at:month"])),
 * );
 * console.assert(routed[0].path === "project_id=7/at_month=2026-11");
 * console.assert(!("project_id" in routed[0].row) && routed[0].row.note === "a/b");
 * ```
 */
export class PartitionStream extends TransformStream<Row, PartitionedRow> {
  /** The keys, in folder order. */
  readonly keys: readonly PartitionKey[];
  /** The table the files inside partitions hold: the table without its (non-time) partition columns. */
  readonly fileTable: TableDefinition;

  /** Builds a router; `partitionBy` is checked here (unknown or unsupported columns are a SchemaError). */
  constructor(
    table: TableDefinition,
    partitionBy: readonly string[],
    options: { keepPartitionColumns?: boolean } = {},
  ) {
    if (!table || typeof table !== "object" || !("columns" in table)) {
      throw new ParquetStorageError(
        "Cannot construct PartitionStream without a table definition: pass one from defineTable()",
      );
    }
    const keys = parsePartitionBy(table, partitionBy);
    const moved = new Set(
      options.keepPartitionColumns ? [] : keys.filter((k) => !k.granularity).map((k) => k.column),
    );
    const kept = Object.keys(table.columns).filter((name) => !moved.has(name));
    let position = 0;
    super({
      transform(row, controller) {
        position++;
        const values: Record<string, string | null> = {};
        const segments: string[] = [];
        for (const key of keys) {
          let text: string | null;
          try {
            text = partitionText(key, row);
          } catch (cause) {
            throw new ValidationError(`cannot partition by ${keyEntry(key)}: ${(cause as Error).message}`, {
              table: table.name,
              row: position,
              column: key.column,
              cause,
            });
          }
          const segment = partitionSegment(key.name, text);
          if (segmentBytes(segment) > MAX_SEGMENT_BYTES) {
            throw new ValidationError(
              `the partition folder name would be ${
                segmentBytes(segment)
              } bytes, more than the ${MAX_SEGMENT_BYTES} filesystems allow`,
              { table: table.name, row: position, column: key.column },
            );
          }
          values[key.name] = text;
          segments.push(segment);
        }
        const rest: Row = {};
        for (const name of kept) rest[name] = row[name];
        controller.enqueue({ path: segments.join("/"), values, row: rest });
      },
    });
    this.keys = keys;
    this.fileTable = defineTable(
      table.name,
      Object.fromEntries(kept.map((name) => [name, table.columns[name]])),
      { primaryKey: table.primaryKey.filter((name) => !moved.has(name)), pgSchema: table.pgSchema },
    );
  }
}
