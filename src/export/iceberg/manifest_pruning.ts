// This module is browser compatible.

/**
 * Manifest pruning for Iceberg reads: a filter tested against the partition summaries (lower and upper
 * bound, nulls) of one manifest in a manifest list, before the manifest is read.
 *
 * @module
 */

import { truncateTime } from "../../schema/partition_key.ts";
import type { ManifestFileRecord } from "./manifests.ts";
import { type PartitionSpec, partitionType, sinceEpoch, valueFromBytes } from "./partition_spec.ts";
import type { TableMetadata } from "./table_metadata.ts";
import { canSkip, type GroupStatistics, type Predicate } from "../../read/filters.ts";

/**
 * True when the manifest's partition summaries prove no row matches. A condition on an identity
 * partition column is tested against the bounds as they are; one on the source of a time transform,
 * projected onto the transform (`ts > X` becomes `month(ts) >= month(X)`, which keeps every match).
 */
export function manifestRuledOut(
  predicate: Predicate,
  manifest: ManifestFileRecord,
  spec: PartitionSpec,
  metadata: TableMetadata,
): boolean {
  if (!manifest.partitions?.length) return false;
  const schema = metadata.schemas.find((s) => s["schema-id"] === metadata["current-schema-id"])!;
  const byColumn = new Map<string, { index: number; transform: string; type: string }>();
  spec.fields.forEach((field, index) => {
    const source = metadata.schemas.flatMap((s) => s.fields).find((f) => f.id === field["source-id"]);
    const known = source && byColumn.get(source.name);
    if (source && (!known || field.transform === "identity")) {
      byColumn.set(source.name, { index, transform: field.transform, type: partitionType(field, schema) });
    }
  });
  const project = (p: Predicate): Predicate => {
    if ("and" in p) return { and: p.and.map(project) };
    if ("or" in p) return { or: p.or.map(project) };
    const field = byColumn.get(p.column);
    if (!field) return { ...p, column: "\0unpartitioned" };
    const convert = (value: unknown): unknown => {
      if (value === null) return null;
      if (field.transform === "identity") return field.type === "long" ? Number(value) : value;
      return sinceEpoch(truncateTime(String(value), field.transform as never), field.transform);
    };
    try {
      const value = Array.isArray(p.value) ? p.value.map(convert) : convert(p.value);
      if (field.transform === "identity") return { ...p, value };
      const op = p.op === "$gt" ? "$gte" : p.op === "$lt" ? "$lte" : p.op;
      return { column: p.column, op, value };
    } catch {
      return { ...p, column: "\0unpartitioned" };
    }
  };
  const stats = (column: string): GroupStatistics | undefined => {
    const field = byColumn.get(column);
    if (!field) return undefined;
    const summary = manifest.partitions![field.index];
    const decode = (bytes: Uint8Array | null) => {
      if (bytes === null) return undefined;
      const value = valueFromBytes(bytes, field.type);
      return field.type === "date" && field.transform === "identity"
        ? new Date((value as number) * 86_400_000).toISOString().slice(0, 10)
        : value;
    };
    const min = decode(summary.lower_bound);
    const allNull = min === undefined && summary.contains_null;
    return {
      min,
      max: decode(summary.upper_bound),
      nullCount: allNull ? 1n : summary.contains_null ? undefined : 0n,
      rows: 1n,
    };
  };
  return canSkip(project(predicate), stats);
}
