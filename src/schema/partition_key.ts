// This module is browser compatible.

/**
 * Partition keys: a column (`project_id`), or a time granularity of a date or timestamp column
 * (`created_at:month`), and the stable text each gives a value in a folder name.
 *
 * The text of a value, before escaping (see `partition_path.ts`): integers and floats in JavaScript's
 * shortest round-trip form (`-0` kept), bigints in decimal, numerics as their exact decimal text, booleans
 * as `true`/`false`, dates as `YYYY-MM-DD`, timestamps as rows carry them (`YYYY-MM-DDTHH:MM:SS.ffffff`,
 * with `Z` for timestamptz, in UTC), uuid/text/enum as they are.
 *
 * A time key is named `<column>_<granularity>` and holds `YYYY` (year), `YYYY-MM` (month), `YYYY-MM-DD`
 * (day) or `YYYY-MM-DDTHH` (hour) of the value, taken in UTC for timestamptz and as written for timestamp.
 * Its source column stays in the file; the key lives only in the path.
 *
 * @module
 */

import * as v from "valibot";
import { ReadError, SchemaError } from "../errors.ts";
import type { ColumnKind, ColumnSpec } from "./columns.ts";
import type { Row, TableDefinition, TableSpec } from "./table.ts";

/** The key under which each file of a partitioned dataset records the dataset: see {@link DatasetSpec}. */
export const DATASET_METADATA_KEY = "parquet_storage.dataset";

/**
 * What each file of a partitioned dataset records in its key-value metadata (as JSON), besides its own
 * table: the whole table, partition columns included, and the keys, so that readers can restore the
 * partition columns with their types from the folder names.
 */
export interface DatasetSpec {
  /** The whole table, partition columns included. */
  table: TableSpec;
  /** The partition keys, as `partitionBy` took them (`"project_id"`, `"created_at:month"`). */
  partitionBy: string[];
}

/** A time granularity a date or timestamp column can be partitioned by. */
export type TimeGranularity = "year" | "month" | "day" | "hour";

/** One partition key, parsed from `"column"` or `"column:granularity"`. */
export interface PartitionKey {
  /** The folder key: the column name, or `<column>_<granularity>`. */
  name: string;
  /** The table column the value comes from. */
  column: string;
  /** The column's spec. */
  spec: ColumnSpec;
  /** Set for a time key. */
  granularity?: TimeGranularity;
}

const GRANULARITIES: readonly TimeGranularity[] = ["year", "month", "day", "hour"];
const LENGTH: Record<TimeGranularity, number> = { year: 4, month: 7, day: 10, hour: 13 };
const REFUSED: ReadonlySet<ColumnKind> = new Set<ColumnKind>(["jsonb", "array", "point"]);
const TIME: ReadonlySet<ColumnKind> = new Set<ColumnKind>(["date", "timestamp", "timestamptz"]);

/**
 * Checks `partitionBy` against a table and parses it into keys.
 *
 * @example
 * ```ts
 * import { defineTable, int, timestamptz } from "@parquet-storage/engine";
 * import { parsePartitionBy } from "./partition_key.ts";
 * const table = defineTable("t", { project_id: int(), created_at: timestamptz() });
 * const keys = parsePartitionBy(table, ["project_id", "created_at:month"]);
 * console.assert(keys[1].name === "created_at_month");
 * ```
 */
export function parsePartitionBy(table: TableDefinition, partitionBy: readonly string[]): PartitionKey[] {
  if (!Array.isArray(partitionBy) || partitionBy.length === 0) {
    throw new SchemaError(
      `Cannot partition without keys: partitionBy must be a non-empty array such as ["project_id"]: current value is ${
        JSON.stringify(partitionBy)
      }`,
      { table: table.name },
    );
  }
  const keys = partitionBy.map((entry) => parseKey(table, entry));
  const seen = new Set<string>();
  for (const key of keys) {
    if (seen.has(key.name)) {
      throw new SchemaError(`Cannot partition by ${key.name} twice`, {
        table: table.name,
        column: key.column,
      });
    }
    seen.add(key.name);
  }
  const moved = new Set(keys.filter((k) => !k.granularity).map((k) => k.column));
  if (Object.keys(table.columns).every((name) => moved.has(name))) {
    throw new SchemaError(
      "Cannot partition by every column: partition columns are left out of the files, so at least one column must remain",
      { table: table.name },
    );
  }
  return keys;
}

function parseKey(table: TableDefinition, entry: string): PartitionKey {
  if (typeof entry !== "string") {
    throw new SchemaError(`A partition key must be a column name: current value is ${String(entry)}`, {
      table: table.name,
    });
  }
  const [column, granularity, ...extra] = entry.split(":");
  const definition = table.columns[column];
  if (!Object.hasOwn(table.columns, column) || !definition) {
    throw new SchemaError(
      `Cannot partition by ${JSON.stringify(column)}: the table has no such column (it has ${
        Object.keys(table.columns).join(", ")
      })`,
      { table: table.name, column },
    );
  }
  const spec = definition.spec;
  if (REFUSED.has(spec.kind)) {
    throw new SchemaError(
      `Cannot partition by a ${spec.kind} column: only scalar columns (text, numbers, booleans, uuids, enums, dates, timestamps) make folder names`,
      { table: table.name, column },
    );
  }
  if (granularity === undefined) return { name: column, column, spec };
  if (extra.length || !GRANULARITIES.includes(granularity as TimeGranularity)) {
    throw new SchemaError(
      `Cannot partition by ${JSON.stringify(entry)}: expected "column" or "column:${
        GRANULARITIES.join("|")
      }"`,
      { table: table.name, column },
    );
  }
  if (!TIME.has(spec.kind) || (spec.kind === "date" && granularity === "hour")) {
    throw new SchemaError(
      `Cannot partition a ${spec.kind} column by ${granularity}: ${
        spec.kind === "date"
          ? "a date has no hour"
          : "only date and timestamp columns have time granularities"
      }`,
      { table: table.name, column },
    );
  }
  const name = `${column}_${granularity}`;
  if (Object.hasOwn(table.columns, name)) {
    throw new SchemaError(
      `Cannot partition by ${entry}: its folder key ${name} is also a column of the table`,
      { table: table.name, column: name },
    );
  }
  return { name, column, spec, granularity: granularity as TimeGranularity };
}

/** The string form of a key, as `partitionBy` takes it. */
export function keyEntry(key: PartitionKey): string {
  return key.granularity ? `${key.column}:${key.granularity}` : key.column;
}

/**
 * The text a validated row gives a key (`null` for SQL NULL), before escaping. Throws a plain `Error`
 * describing the problem for a value that has no stable text.
 */
export function partitionText(key: PartitionKey, row: Row): string | null {
  const value = row[key.column];
  if (value === null || value === undefined) return null;
  if (key.granularity) return truncateTime(String(value), key.granularity);
  switch (typeof value) {
    case "string":
      if (!value.isWellFormed()) {
        throw new Error("the text has an unpaired surrogate, which has no UTF-8 form");
      }
      return value;
    case "number":
      return Object.is(value, -0) ? "-0" : String(value);
    case "bigint":
    case "boolean":
      return String(value);
    default:
      throw new Error(`expected a ${key.spec.kind} value, received ${typeof value}`);
  }
}

/**
 * The value of a partition column, as rows carry it, from a folder's text: the inverse of
 * {@link partitionText} for a plain (not time) key. Throws a {@link ReadError} for text the column
 * cannot hold.
 */
export function partitionValue(key: PartitionKey, text: string | null, schema: v.GenericSchema): unknown {
  if (text === null) return null;
  let raw: unknown = text;
  if (["smallint", "int", "real", "float"].includes(key.spec.kind)) raw = text === "" ? NaN : Number(text);
  else if (key.spec.kind === "boolean") raw = text === "true" ? true : text === "false" ? false : text;
  const result = v.safeParse(schema, raw);
  if (!result.success || (typeof raw === "number" && Number.isNaN(raw) && text !== "NaN")) {
    throw new ReadError(
      `Cannot read the partition value ${JSON.stringify(text)} as ${key.spec.kind}: ${
        result.success ? "not a number" : result.issues[0].message
      }`,
      { column: key.column },
    );
  }
  return result.output;
}

/**
 * The key text of a date or timestamp value (canonical text) at a granularity: `2026-11` for a month.
 *
 * @example
 * ```ts
 * import { truncateTime } from "./partition_key.ts";
 * console.assert(truncateTime("2026-11-25T04:05:06.000000Z", "hour") === "2026-11-25T04");
 * ```
 */
export function truncateTime(canonical: string, granularity: TimeGranularity): string {
  const match = /^(-?\d{4,6})(-\d\d-\d\d(?:T\d\d)?)/.exec(canonical);
  if (!match) throw new Error(`expected a date or timestamp as YYYY-MM-DD…, received ${canonical}`);
  const [, year, rest] = match;
  return year + rest.slice(0, LENGTH[granularity] - 4);
}
