// This module is browser compatible.

/**
 * The pieces of a batch written by several processes: the leader's plan and each shard's partial
 * manifest (`<root>/_manifests/_parts/<batch>/plan.json` and `<i>-of-<n>.json`, never replaced), and the
 * one commit that checks they fit together and writes the batch manifest once. Manifests are the files
 * directly in `_manifests/`; nothing below `_parts/` is ever read as one.
 *
 * @module
 */

import * as v from "valibot";
import { type Manifest, MANIFEST_FOLDER, MANIFEST_FORMAT, type ManifestTable } from "../read/manifest.ts";
import { ParquetStorageError, ReadError } from "../errors.ts";
import type { TableSummary } from "./export_options.ts";
import type { Storage } from "../storage/storage.ts";
import { type ExportPlan, PLAN_FORMAT } from "./export_plan.ts";
import type { UnitResult } from "./snapshot_worker.ts";

/** The partial manifest format identifier. */
export const PART_FORMAT = "parquet-storage.part/1";

/** What one shard exported of a batch. */
export interface BatchPart {
  /** Always {@link PART_FORMAT}. */
  format: typeof PART_FORMAT;
  /** The batch. */
  batch: string;
  /** The snapshot id the shard imported. */
  snapshot: string;
  /** The snapshot as `pg_current_snapshot()` printed it in the shard. */
  pgSnapshot: string;
  /** Which shard, 1-based, of how many. */
  shard: { index: number; count: number };
  /** The units it exported. */
  units: UnitResult[];
}

/** The folder of a batch's plan and parts. */
export function partsFolder(storage: Storage, root: string, batch: string): string {
  return storage.join(root, MANIFEST_FOLDER, "_parts", batch);
}

/** Writes a JSON file, never replacing one (on S3 one conditional PutObject, whatever its size). */
async function writeJson(storage: Storage, location: string, value: unknown): Promise<void> {
  const bytes = new TextEncoder().encode(JSON.stringify(value, null, 2) + "\n");
  await ReadableStream.from([bytes]).pipeTo(
    storage.createSink(location, { overwrite: false, size: bytes.length }),
  );
}

async function readJson(storage: Storage, location: string): Promise<unknown> {
  const buffer = await storage.open(location);
  const text = new TextDecoder().decode(await buffer.slice(0, buffer.byteLength));
  try {
    return JSON.parse(text);
  } catch (cause) {
    throw new ReadError(`${location} is not JSON: ${(cause as Error).message}`, { cause });
  }
}

const planSchema = v.looseObject({
  format: v.literal(PLAN_FORMAT),
  batch: v.string(),
  snapshot: v.string(),
  pgSnapshot: v.string(),
  startedAt: v.string(),
  tables: v.array(v.string()),
  units: v.array(v.looseObject({ index: v.number(), table: v.string(), weight: v.number() })),
});

const partSchema = v.looseObject({
  format: v.literal(PART_FORMAT),
  batch: v.string(),
  snapshot: v.string(),
  pgSnapshot: v.string(),
  shard: v.object({ index: v.number(), count: v.number() }),
  units: v.array(v.looseObject({
    index: v.number(),
    table: v.looseObject({ name: v.string(), files: v.array(v.any()) }),
    summary: v.looseObject({ table: v.string() }),
  })),
});

/** Writes the leader's plan of `plan.batch` (an error if one is there already). */
export async function writePlan(storage: Storage, root: string, plan: ExportPlan): Promise<void> {
  await writeJson(storage, storage.join(partsFolder(storage, root, plan.batch), "plan.json"), plan);
}

/** Reads the plan of `batch`, or says clearly that there is none. */
export async function readPlan(storage: Storage, root: string, batch: string): Promise<ExportPlan> {
  const location = storage.join(partsFolder(storage, root, batch), "plan.json");
  let json;
  try {
    json = await readJson(storage, location);
  } catch (cause) {
    if (cause instanceof ReadError && /not JSON/.test(cause.message)) throw cause;
    throw new ReadError(
      `No plan for batch ${batch} under ${root} (${location}): start the leader with --leader and the same --out, and pass the batch id it printed`,
      { cause },
    );
  }
  const checked = v.safeParse(planSchema, json);
  if (!checked.success) throw new ReadError(`${location} is not a plan: ${checked.issues[0].message}`);
  return checked.output as unknown as ExportPlan;
}

/** Writes a shard's partial manifest (an error if that shard has written one already). */
export async function writePart(storage: Storage, root: string, part: BatchPart): Promise<void> {
  const { index, count } = part.shard;
  const location = storage.join(partsFolder(storage, root, part.batch), `${index}-of-${count}.json`);
  try {
    await writeJson(storage, location, part);
  } catch (cause) {
    throw new ParquetStorageError(
      `Cannot write the part of shard ${index}/${count} of batch ${part.batch}: ${(cause as Error).message}`,
      { cause },
    );
  }
}

/** Reads every part written for `batch`. */
export async function readParts(storage: Storage, root: string, batch: string): Promise<BatchPart[]> {
  const parts: BatchPart[] = [];
  for await (const file of storage.list(partsFolder(storage, root, batch))) {
    if (!/\d+-of-\d+\.json$/.test(file.location)) continue;
    const checked = v.safeParse(partSchema, await readJson(storage, file.location));
    if (!checked.success) {
      throw new ReadError(`${file.location} is not a batch part: ${checked.issues[0].message}`);
    }
    parts.push(checked.output as unknown as BatchPart);
  }
  return parts;
}

/**
 * Checks that `parts` are all the shards of one run of `plan`: every shard 1…n there once, all in the
 * plan's snapshot, every unit exported exactly once.
 */
export function checkParts(plan: ExportPlan, parts: readonly BatchPart[]): void {
  const where = `batch ${plan.batch}`;
  if (!parts.length) {
    throw new ReadError(`Cannot commit ${where}: no shard has written its part yet`);
  }
  const count = parts[0].shard.count;
  const counts = [...new Set(parts.map((p) => p.shard.count))];
  if (counts.length > 1) {
    throw new ReadError(
      `Cannot commit ${where}: its parts disagree on the number of shards (${counts.join(", ")})`,
    );
  }
  const present = new Set(parts.map((p) => p.shard.index));
  const missing = Array.from({ length: count }, (_, i) => i + 1).filter((i) => !present.has(i));
  if (missing.length) {
    throw new ReadError(
      `Cannot commit ${where}: shard ${
        missing.map((i) => `${i}/${count}`).join(", ")
      } has not written its part ` +
        `(${parts.length} of ${count} there); run the missing shard, or start over with a new leader`,
    );
  }
  for (const part of parts) {
    if (part.snapshot !== plan.snapshot || part.pgSnapshot !== plan.pgSnapshot) {
      throw new ReadError(
        `Cannot commit ${where}: shard ${part.shard.index}/${count} read snapshot ${part.snapshot} ` +
          `(${part.pgSnapshot}), the plan's is ${plan.snapshot} (${plan.pgSnapshot})`,
      );
    }
  }
  const seen = parts.flatMap((p) => p.units.map((u) => u.index)).sort((a, b) => a - b);
  const expected = plan.units.map((u) => u.index);
  if (seen.length !== expected.length || seen.some((index, i) => index !== expected[i])) {
    throw new ReadError(`Cannot commit ${where}: its parts do not cover the plan's units exactly once`);
  }
}

/** The tables of a batch and their summaries, from the units' results, in the plan's table order. */
export function mergeUnits(
  plan: ExportPlan,
  results: readonly UnitResult[],
): { tables: ManifestTable[]; summaries: TableSummary[] } {
  const ordered = [...results].sort((a, b) => a.index - b.index);
  const tables: ManifestTable[] = [];
  const summaries: TableSummary[] = [];
  for (const name of plan.tables) {
    const units = ordered.filter((r) => r.table.name === name);
    if (!units.length) continue;
    const [first, ...rest] = units;
    tables.push({ ...first.table, files: units.flatMap((u) => u.table.files) });
    if (!rest.length) {
      summaries.push(first.summary);
      continue;
    }
    const sum = (key: "rows" | "files" | "bytes") => units.reduce((s, u) => s + u.summary[key], 0);
    summaries.push({
      ...first.summary,
      rows: sum("rows"),
      files: sum("files"),
      bytes: sum("bytes"),
      seconds: Math.max(...units.map((u) => u.summary.seconds)),
      location: first.summary.location.slice(0, first.summary.location.lastIndexOf("/")),
    });
  }
  return { tables, summaries };
}

/** Whether `batch`'s manifest exists under `root` (the batch is committed). */
export async function isCommitted(storage: Storage, root: string, batch: string): Promise<boolean> {
  try {
    await storage.open(storage.join(root, MANIFEST_FOLDER, `${batch}.json`));
    return true;
  } catch {
    return false;
  }
}

/** Writes the batch manifest of `plan` with `tables`, never replacing one: the batch is then committed. */
export async function writeBatchManifest(
  storage: Storage,
  root: string,
  plan: ExportPlan,
  tables: ManifestTable[],
): Promise<Manifest> {
  const manifest: Manifest = {
    format: MANIFEST_FORMAT,
    batch: plan.batch,
    startedAt: plan.startedAt,
    committedAt: new Date().toISOString(),
    snapshot: plan.pgSnapshot,
    tables,
  };
  try {
    await writeJson(storage, storage.join(root, MANIFEST_FOLDER, `${plan.batch}.json`), manifest);
  } catch (cause) {
    throw new ParquetStorageError(`Cannot commit batch ${plan.batch}: ${(cause as Error).message}`, {
      cause,
    });
  }
  return manifest;
}
