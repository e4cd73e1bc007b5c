// This module is browser compatible.

/**
 * The table metadata file (`metadata/v<N>.metadata.json`, format version 2) and how a snapshot makes
 * the next one from the current one: schemas and partition specs added when they change, the snapshot
 * appended, the snapshot log, metadata log and the `main` branch moved to it.
 *
 * @module
 */

import type { IcebergSchema } from "./iceberg_schema.ts";
import type { PartitionSpec } from "./partition_spec.ts";

/** One snapshot in the table metadata. */
export interface Snapshot {
  "snapshot-id": number;
  "parent-snapshot-id"?: number;
  "sequence-number": number;
  "timestamp-ms": number;
  "manifest-list": string;
  summary: Record<string, string> & { operation: string };
  "schema-id": number;
}

/** The table metadata, format version 2. */
export interface TableMetadata {
  "format-version": 2;
  "table-uuid": string;
  location: string;
  "last-sequence-number": number;
  "last-updated-ms": number;
  "last-column-id": number;
  "current-schema-id": number;
  schemas: IcebergSchema[];
  "default-spec-id": number;
  "partition-specs": PartitionSpec[];
  "last-partition-id": number;
  "default-sort-order-id": number;
  "sort-orders": { "order-id": number; fields: unknown[] }[];
  properties: Record<string, string>;
  "current-snapshot-id": number;
  snapshots: Snapshot[];
  "snapshot-log": { "timestamp-ms": number; "snapshot-id": number }[];
  "metadata-log": { "timestamp-ms": number; "metadata-file": string }[];
  refs: Record<string, { "snapshot-id": number; type: "branch" | "tag" }>;
}

/** A table's metadata as read: its version and file. */
export interface CurrentMetadata {
  /** The `N` of `v<N>.metadata.json`. */
  version: number;
  /** The metadata file's URI. */
  uri: string;
  /** The metadata. */
  metadata: TableMetadata;
}

/** What a new snapshot brings to the metadata. */
export interface SnapshotChange {
  /** The table's URI. */
  location: string;
  /** The schema the snapshot's files were written with. */
  schema: IcebergSchema;
  /** The highest column id after it. */
  lastColumnId: number;
  /** The partition spec of its files. */
  spec: PartitionSpec;
  /** The highest partition field id after it. */
  lastPartitionId: number;
  /** The snapshot (its sequence number and parent already set against the base). */
  snapshot: Snapshot;
  /** Table properties to set. */
  properties: Record<string, string>;
}

/** The metadata after `change`, over `base` (undefined for a new table). */
export function nextMetadata(base: CurrentMetadata | undefined, change: SnapshotChange): TableMetadata {
  const previous = base?.metadata;
  const now = change.snapshot["timestamp-ms"];
  const schemas = previous?.schemas ?? [];
  const specs = previous?.["partition-specs"] ?? [];
  return {
    "format-version": 2,
    "table-uuid": previous?.["table-uuid"] ?? crypto.randomUUID(),
    location: previous?.location ?? change.location,
    "last-sequence-number": change.snapshot["sequence-number"],
    "last-updated-ms": now,
    "last-column-id": Math.max(previous?.["last-column-id"] ?? 0, change.lastColumnId),
    "current-schema-id": change.schema["schema-id"],
    schemas: schemas.some((s) => s["schema-id"] === change.schema["schema-id"])
      ? schemas
      : [...schemas, change.schema],
    "default-spec-id": change.spec["spec-id"],
    "partition-specs": specs.some((s) => s["spec-id"] === change.spec["spec-id"])
      ? specs
      : [...specs, change.spec],
    "last-partition-id": Math.max(previous?.["last-partition-id"] ?? 999, change.lastPartitionId),
    "default-sort-order-id": 0,
    "sort-orders": previous?.["sort-orders"] ?? [{ "order-id": 0, fields: [] }],
    properties: { ...previous?.properties, ...change.properties },
    "current-snapshot-id": change.snapshot["snapshot-id"],
    snapshots: [...previous?.snapshots ?? [], change.snapshot],
    "snapshot-log": [...previous?.["snapshot-log"] ?? [], {
      "timestamp-ms": now,
      "snapshot-id": change.snapshot["snapshot-id"],
    }],
    "metadata-log": base
      ? [...previous!["metadata-log"] ?? [], {
        "timestamp-ms": previous!["last-updated-ms"],
        "metadata-file": base.uri,
      }]
      : [],
    refs: { ...previous?.refs, main: { "snapshot-id": change.snapshot["snapshot-id"], type: "branch" } },
  };
}

/** The current snapshot of `metadata`, if it has one. */
export function currentSnapshot(metadata: TableMetadata | undefined): Snapshot | undefined {
  const id = metadata?.["current-snapshot-id"];
  return id === undefined || id < 0 ? undefined : metadata!.snapshots.find((s) => s["snapshot-id"] === id);
}
