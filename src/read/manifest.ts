// This module is browser compatible.

/**
 * Batch manifests: the small JSON file, written last and never replaced, whose existence commits a
 * batch. It names every data file of the batch (path relative to the output root, rows, bytes, SHA-256),
 * the schema per table and the incremental watermarks.
 *
 * @module
 */

import * as v from "valibot";
import { ParquetStorageError, ReadError } from "../errors.ts";
import type { TableSpec } from "../schema/table.ts";

/**
 * The folder, under an output root, that holds manifests.
 *
 * @example
 * ```ts
 * import { MANIFEST_FOLDER } from "@parquet-storage/engine/batch";
 * console.assert(`data/${MANIFEST_FOLDER}/` === "data/_manifests/");
 * ```
 */
export const MANIFEST_FOLDER = "_manifests";

/** The manifest format identifier. */
export const MANIFEST_FORMAT = "parquet-storage.manifest/1";

/** One data file of a batch. */
export interface ManifestFile {
  /** Path relative to the output root, with `/` separators. */
  path: string;
  /** Rows in the file. */
  rows: number;
  /** Size in bytes. */
  bytes: number;
  /** SHA-256, lowercase hex. */
  sha256: string;
}

/** Where an incremental export of a table got to. */
export interface Watermark {
  /** The watermark column (e.g. `updated_at`). */
  column: string;
  /** The largest watermark value exported, as text; `null` when the table was empty. */
  value: string | null;
  /** The primary key of the last row exported at that value, to break ties. */
  key: Record<string, string> | null;
}

/** One table of a batch. */
export interface ManifestTable {
  /** Table name. */
  name: string;
  /** `full`: these files are the whole table; `incremental`: rows changed since the previous batch. */
  mode: "full" | "incremental";
  /** The table definition. */
  schema: TableSpec;
  /** The files written. */
  files: ManifestFile[];
  /** Where an incremental export got to, for the next run. */
  watermark: Watermark | null;
}

/** A committed batch. */
export interface Manifest {
  /** Always {@link MANIFEST_FORMAT}. */
  format: typeof MANIFEST_FORMAT;
  /** The batch id: UTC time then 8 hex digits, so ids sort by start time. */
  batch: string;
  /** When the batch started (ISO 8601). */
  startedAt: string;
  /** When it was committed (ISO 8601). */
  committedAt: string;
  /** The PostgreSQL snapshot the batch read, if any. */
  snapshot: string | null;
  /** The tables, in export order. */
  tables: ManifestTable[];
}

const fileSchema = v.object({
  path: v.pipe(v.string(), v.minLength(1)),
  rows: v.pipe(v.number(), v.integer(), v.minValue(0)),
  bytes: v.pipe(v.number(), v.integer(), v.minValue(0)),
  sha256: v.pipe(v.string(), v.regex(/^[0-9a-f]{64}$/)),
});
const manifestSchema = v.object({
  format: v.literal(MANIFEST_FORMAT),
  batch: v.string(),
  startedAt: v.string(),
  committedAt: v.string(),
  snapshot: v.nullable(v.string()),
  tables: v.array(v.object({
    name: v.string(),
    mode: v.picklist(["full", "incremental"]),
    schema: v.looseObject({ name: v.string(), columns: v.array(v.any()) }),
    files: v.array(fileSchema),
    watermark: v.nullable(v.object({
      column: v.string(),
      value: v.nullable(v.string()),
      key: v.nullable(v.record(v.string(), v.string())),
    })),
  })),
});

/**
 * A new batch id for a batch starting at `now`: `YYYYMMDDTHHMMSSmmmZ_xxxxxxxx`, so ids sort by time.
 *
 * @example
 * ```ts
 * import { newBatchId } from "@parquet-storage/engine/batch";
 * console.assert(newBatchId(new Date("2026-11-25T04:05:06.789Z")).startsWith("20261125T040506789Z_"));
 * ```
 */
export function newBatchId(now: Date = new Date()): string {
  const stamp = now.toISOString().replaceAll("-", "").replaceAll(":", "").replace(".", "");
  return `${stamp}_${crypto.randomUUID().slice(0, 8)}`;
}

/** Parses and checks a manifest's JSON text. */
export function parseManifest(text: string, where: string): Manifest {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    throw new ReadError(`Manifest ${where} is not JSON: ${(cause as Error).message}`, { cause });
  }
  const result = v.safeParse(manifestSchema, json);
  if (!result.success) {
    const issue = result.issues[0];
    const path = issue.path?.map((p) => p.key).join(".") ?? "";
    throw new ReadError(`Manifest ${where} is not a valid manifest: ${path} ${issue.message}`);
  }
  return result.output as Manifest;
}

/**
 * Spells an output root the way storages spell the paths they join and list: no trailing slash, and for
 * local paths no leading `./` (`./data` lists as `data/…`), `.` for the working folder.
 */
export function normalizeRoot(root: string): string {
  const trimmed = root.replace(/\/+$/, "");
  if (trimmed.startsWith("s3://")) return trimmed;
  return trimmed.replace(/^(\.\/)+/, "") || ".";
}

/** The path of `location` below `root`, with `/` separators, as manifests record it. */
export function relativePath(root: string, location: string): string {
  const base = normalizeRoot(root);
  const path = normalizeRoot(location.replaceAll("\\", "/"));
  if (base === ".") return path;
  if (!path.startsWith(base + "/")) {
    throw new ParquetStorageError(`File ${location} is outside the batch root ${root}`);
  }
  return path.slice(base.length + 1);
}
