// This module is browser compatible.

/**
 * `partitionBy` as an Iceberg partition spec (`identity` for a column key, `year`/`month`/`day`/`hour`
 * for a time key), the partition tuple of a data file from its hive folders, and the single-value binary
 * form (the spec's Appendix D) of partition values, for the manifest list's partition summaries.
 *
 * @module
 */

import { IcebergSchemaError } from "../../errors.ts";
import type { TableDefinition } from "../../schema/table.ts";
import { parsePartitionBy, type PartitionKey } from "../../schema/partition_key.ts";
import { parsePartitionSegment } from "../../schema/partition_path.ts";
import type { IcebergSchema } from "./iceberg_schema.ts";

/** One field of a partition spec. */
export interface PartitionField {
  /** The source column's field id. */
  "source-id": number;
  /** The partition field's id (1000 and up). */
  "field-id": number;
  /** Its name: the hive folder key (`project_id`, `created_at_month`). */
  name: string;
  /** `identity`, `year`, `month`, `day` or `hour`. */
  transform: string;
}

/** An Iceberg partition spec. */
export interface PartitionSpec {
  /** The spec's id in the table metadata. */
  "spec-id": number;
  /** Its fields, in folder order. */
  fields: PartitionField[];
}

/** A partition value as the manifest's Avro record holds it: int/long/float/double, text, boolean, null. */
export type PartitionValue = number | string | boolean | null;

/** Iceberg's first partition field id. */
export const FIRST_PARTITION_FIELD_ID = 1000;

const IDENTITY_TYPES = new Set(["int", "long", "float", "double", "string", "boolean", "date"]);

/**
 * The spec for `partitionBy` over `schema`, reusing `current`'s id and field ids when it is the same.
 *
 * @example
 * ```ts
 * import { defineTable, int, timestamptz } from "@parquet-storage/engine";
 * import { planSchema } from "./iceberg_schema.ts";
 * import { planPartitionSpec } from "./partition_spec.ts";
 * const table = defineTable("t", { site: int(), at: timestamptz() });
 * const { schema } = planSchema(table, undefined, 0);
 * const { spec } = planPartitionSpec(table, schema, ["site", "at:day"], [], 999);
 * console.assert(spec.fields[1].transform === "day" && spec.fields[1]["source-id"] === 2);
 * ```
 */
export function planPartitionSpec(
  table: TableDefinition,
  schema: IcebergSchema,
  partitionBy: readonly string[],
  specs: readonly PartitionSpec[],
  lastPartitionId: number,
): { spec: PartitionSpec; keys: PartitionKey[]; lastPartitionId: number; isNew: boolean } {
  const keys = partitionBy.length ? parsePartitionBy(table, partitionBy) : [];
  let last = lastPartitionId;
  const known = specs.flatMap((s) => s.fields);
  const fields = keys.map((key): PartitionField => {
    const source = schema.fields.find((f) => f.name === key.column)!;
    const transform = key.granularity ?? "identity";
    if (transform === "identity" && !IDENTITY_TYPES.has(source.type as string)) {
      throw new IcebergSchemaError(
        `Cannot partition an Iceberg table by a ${
          JSON.stringify(source.type)
        } column as it is: use an int, bigint, text, boolean or date column, or a time key`,
        { table: table.name, column: key.column },
      );
    }
    const same = known.find((f) => f["source-id"] === source.id && f.transform === transform);
    return { "source-id": source.id, "field-id": same?.["field-id"] ?? ++last, name: key.name, transform };
  });
  const existing = specs.find((s) => JSON.stringify(s.fields) === JSON.stringify(fields));
  if (existing) return { spec: existing, keys, lastPartitionId: last, isNew: false };
  const id = specs.length ? Math.max(...specs.map((s) => s["spec-id"])) + 1 : 0;
  return { spec: { "spec-id": id, fields }, keys, lastPartitionId: last, isNew: true };
}

/** The result type of a partition field: the source's for identity, `int` for the time transforms. */
export function partitionType(field: PartitionField, schema: IcebergSchema): string {
  if (field.transform !== "identity") return "int";
  return schema.fields.find((f) => f.id === field["source-id"])!.type as string;
}

/**
 * The partition tuple of a data file, by partition field name, from the `key=value` folders of its path
 * below the table (as `writeDataset` names them): identity values typed, time keys as the transform's
 * count of years, months, days or hours since 1970.
 */
export function partitionTuple(
  relativePath: string,
  spec: PartitionSpec,
  schema: IcebergSchema,
): Record<string, PartitionValue> {
  const folders = new Map<string, string | null>();
  for (const segment of relativePath.split("/").slice(0, -1)) {
    const parsed = parsePartitionSegment(segment);
    if (parsed) folders.set(parsed.key, parsed.value);
  }
  const tuple: Record<string, PartitionValue> = {};
  for (const field of spec.fields) {
    const text = folders.get(field.name);
    if (text === undefined) throw new Error(`unreachable: ${relativePath} has no folder ${field.name}`);
    tuple[field.name] = text === null ? null : typedValue(text, field, partitionType(field, schema));
  }
  return tuple;
}

function typedValue(text: string, field: PartitionField, type: string): PartitionValue {
  if (field.transform !== "identity") return sinceEpoch(text, field.transform);
  switch (type) {
    case "int":
    case "long":
    case "float":
    case "double":
      return Number(text);
    case "boolean":
      return text === "true";
    case "date":
      return Date.UTC(+text.slice(0, 4), +text.slice(5, 7) - 1, +text.slice(8, 10)) / 86_400_000;
    default:
      return text;
  }
}

/** `YYYY`, `YYYY-MM`, `YYYY-MM-DD` or `YYYY-MM-DDTHH` as years, months, days or hours since 1970. */
export function sinceEpoch(text: string, transform: string): number {
  const [year, month = 1, day = 1, hour = 0] = text.split(/[-T]/).map(Number);
  if (transform === "year") return year - 1970;
  if (transform === "month") return (year - 1970) * 12 + month - 1;
  const days = Date.UTC(year, month - 1, day) / 86_400_000;
  return transform === "day" ? days : days * 24 + hour;
}

/** The single-value binary form of a partition value of `type` (Appendix D of the Iceberg spec). */
export function valueBytes(value: Exclude<PartitionValue, null>, type: string): Uint8Array {
  const view = (size: number, write: (d: DataView) => void) => {
    const bytes = new Uint8Array(size);
    write(new DataView(bytes.buffer));
    return bytes;
  };
  switch (type) {
    case "int":
    case "date":
      return view(4, (d) => d.setInt32(0, value as number, true));
    case "long":
      return view(8, (d) => d.setBigInt64(0, BigInt(value as number), true));
    case "float":
      return view(4, (d) => d.setFloat32(0, value as number, true));
    case "double":
      return view(8, (d) => d.setFloat64(0, value as number, true));
    case "boolean":
      return new Uint8Array([value ? 1 : 0]);
    default:
      return new TextEncoder().encode(String(value));
  }
}

/** The value back from its single-value binary form. */
export function valueFromBytes(bytes: Uint8Array, type: string): Exclude<PartitionValue, null> {
  const d = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  switch (type) {
    case "int":
    case "date":
      return d.getInt32(0, true);
    case "long":
      return Number(d.getBigInt64(0, true));
    case "float":
      return d.getFloat32(0, true);
    case "double":
      return d.getFloat64(0, true);
    case "boolean":
      return bytes[0] === 1;
    default:
      return new TextDecoder().decode(bytes);
  }
}
