/**
 * Parallel exports on one snapshot: `jobs` workers in this process, or shards in many processes (any
 * scheduler's indexed job) joined by one commit. Either way one leader transaction holds the snapshot
 * and plans the work, every worker imports that snapshot, and the batch manifest is written once,
 * after every unit has been written; a failure anywhere commits nothing.
 *
 * Why one file: the leader, the shards and the commit of one parallel run share one plan and one
 * snapshot; the leader's and a worker's own steps are `snapshot_leader.ts` and `snapshot_worker.ts`.
 *
 * @module
 */

import { BatchWriter } from "./batch_writer.ts";
import { normalizeRoot } from "../read/manifest.ts";
import { ParquetStorageError } from "../errors.ts";
import { connectionLost, type Sql } from "../postgres/connect.ts";
import type { ExportOptions, ExportSummary } from "./export_options.ts";
import { storageFor } from "../storage/open_location.ts";
import type { Storage } from "../storage/storage.ts";
import {
  checkParts,
  mergeUnits,
  readParts,
  readPlan,
  writeBatchManifest,
  writePart,
  writePlan,
} from "./batch_parts.ts";
import { type ExportPlan, heaviestFirst, shardUnits } from "./export_plan.ts";
import { IcebergTarget } from "./iceberg/iceberg_export.ts";
import { type LeaderOptions, openSnapshotLeader, type SnapshotLeader } from "./snapshot_leader.ts";
import {
  checkSnapshotId,
  exportUnits,
  inImportedSnapshot,
  type UnitContext,
  type UnitResult,
} from "./snapshot_worker.ts";

/** Options of a parallel export (see {@link exportInParallel}). */
export interface ParallelOptions extends ExportOptions {
  /** Workers, each on its own connection. Default 1. */
  jobs?: number;
  /** A table with more estimated rows than this is split into block ranges. Default 1 000 000. */
  shardRows?: number;
  /**
   * Called (and awaited) once the snapshot is taken and planned, before any worker reads: its id, for
   * shards in other processes, and the batch.
   */
  onSnapshot?: (plan: ExportPlan) => void | Promise<void>;
}

/**
 * Exports with `jobs` workers on one snapshot and commits one batch. The client needs `jobs + 1`
 * connections (`connectPostgres({ max })`): the leader's and one per worker.
 *
 * @example
 * ```ts ignore
 * import { connectPostgres, exportInParallel } from "@parquet-storage/engine/postgres";
 * const sql = connectPostgres({ max: 3 });
 * const summary = await exportInParallel(sql, { out: "./data", jobs: 2 }); // or exportTables with jobs
 * await sql.end();
 * ```
 */
export async function exportInParallel(sql: Sql, options: ParallelOptions): Promise<ExportSummary> {
  const jobs = checkCount("jobs", options.jobs ?? 1);
  const max = (sql.options as { max?: number }).max ?? 1;
  if (max < jobs + 1) {
    throw new ParquetStorageError(
      `An export with jobs: ${jobs} needs a client of ${jobs + 1} connections (the leader's and one per ` +
        `worker): the client has max: ${max}; connect with connectPostgres({ max: ${jobs + 1} })`,
    );
  }
  const root = normalizeRoot(options.out);
  const storage = await storageFor(root, { s3: options.s3 });
  const leader = await openSnapshotLeader(sql, { ...options, parts: jobs });
  const iceberg = options.format === "iceberg"
    ? new IcebergTarget(new BatchWriter(root, { s3: options.s3, id: leader.plan.batch }))
    : undefined;
  const results: UnitResult[] = [];
  let failure: unknown;
  try {
    await options.onSnapshot?.(leader.plan);
    const abort = abortOnLoss(sql, options.signal);
    const queue = heaviestFirst(leader.plan.units);
    const pids: number[] = [];
    // On the first failure (or a lost connection) the others stop at once, not at the end of their read.
    abort.signal.addEventListener("abort", () => leader.cancel(pids).catch(() => {}), { once: true });
    const context = { ...unitContext(leader.plan, options, storage, root, abort.signal), target: iceberg };
    const worker = () =>
      inImportedSnapshot(sql, leader.plan.snapshot, async (tx) => {
        const [{ pid }] = await tx`SELECT pg_backend_pid() AS pid`;
        pids.push(pid);
        const units = (function* () {
          while (queue.length) yield queue.shift()!;
        })();
        await exportUnits(tx, units, context, (result) => results.push(result));
      }).catch((error) => {
        failure ??= error;
        abort.abort(error);
      });
    await Promise.all(Array.from({ length: Math.min(jobs, queue.length) }, worker));
    if (!failure && results.length !== leader.plan.units.length) {
      failure = new ParquetStorageError(
        `The export's workers wrote ${results.length} of ${leader.plan.units.length} units: nothing is committed`,
      );
    }
  } finally {
    await leader.release();
  }
  if (failure) {
    await removeFiles(storage, root, results);
    throw failure;
  }
  const { tables, summaries } = mergeUnits(leader.plan, results);
  const done = {
    batch: leader.plan.batch,
    snapshot: leader.plan.pgSnapshot,
    out: root,
    tables: summaries,
    skipped: leader.plan.skipped,
    ...(leader.plan.asText ? { asText: leader.plan.asText } : {}),
  };
  // Each Iceberg table is its own commit; one that fails removes the files of the tables not committed.
  if (iceberg) return { ...done, iceberg: await iceberg.commit(tables) };
  try {
    await writeBatchManifest(storage, root, leader.plan, tables);
  } catch (error) {
    await removeFiles(storage, root, results);
    throw error;
  }
  return done;
}

/** Options of {@link exportShard}. */
export interface ShardOptions extends ExportOptions {
  /** Which shard (1-based) of how many. */
  shard: { index: number; count: number };
  /** The snapshot id the leader printed. */
  snapshot: string;
  /** The batch id the leader printed. */
  batch: string;
}

/** What one shard did. */
export interface ShardSummary extends Omit<ExportSummary, "tables"> {
  /** The shard. */
  shard: { index: number; count: number };
  /** Its units' summaries (a split table may appear more than once). */
  tables: ExportSummary["tables"];
}

/**
 * Exports shard `index` of `count` of a batch whose leader is running ({@link openSnapshotLeader}, or
 * `deno task export --leader`): the units the plan gives this shard, read in the leader's snapshot, and
 * a partial manifest listing their files. Nothing is committed until {@link commitShards}.
 *
 * @example
 * ```ts ignore
 * import { connectPostgres, exportShard } from "@parquet-storage/engine/postgres";
 * const [snapshot, batch] = [Deno.env.get("SNAPSHOT")!, Deno.env.get("BATCH")!]; // as the leader printed
 * const index = Number(Deno.env.get("JOB_COMPLETION_INDEX")) + 1; // a Kubernetes indexed job, say
 * const sql = connectPostgres();
 * await exportShard(sql, { out: "s3://lake/exports", shard: { index, count: 4 }, snapshot, batch });
 * await sql.end();
 * ```
 */
export async function exportShard(sql: Sql, options: ShardOptions): Promise<ShardSummary> {
  refuseIceberg(options, "exportShard");
  const { index, count } = options.shard;
  checkCount("shard count", count);
  if (!Number.isInteger(index) || index < 1 || index > count) {
    throw new ParquetStorageError(`The shard must be 1 to ${count}: current value is ${index}/${count}`);
  }
  checkSnapshotId(options.snapshot);
  const root = normalizeRoot(options.out);
  const storage = await storageFor(root, { s3: options.s3 });
  const plan = await readPlan(storage, root, options.batch);
  if (plan.snapshot !== options.snapshot) {
    throw new ParquetStorageError(
      `Batch ${plan.batch} reads snapshot ${plan.snapshot}, not ${options.snapshot}: pass the ids one leader printed`,
    );
  }
  const units = shardUnits(plan.units, index, count);
  const results: UnitResult[] = [];
  const abort = abortOnLoss(sql, options.signal);
  let pgSnapshot = "";
  try {
    await inImportedSnapshot(sql, plan.snapshot, async (tx) => {
      [{ pg: pgSnapshot }] = await tx`SELECT pg_current_snapshot()::text AS pg`;
      const context = unitContext(plan, options, storage, root, abort.signal);
      await exportUnits(tx, units, context, (result) => results.push(result));
    });
    await writePart(storage, root, {
      format: "parquet-storage.part/1",
      batch: plan.batch,
      snapshot: plan.snapshot,
      pgSnapshot,
      shard: { index, count },
      units: results,
    });
  } catch (error) {
    await removeFiles(storage, root, results);
    throw error;
  }
  return {
    batch: plan.batch,
    snapshot: pgSnapshot,
    out: root,
    shard: { index, count },
    tables: results.sort((a, b) => a.index - b.index).map((r) => r.summary),
  };
}

/**
 * Commits a batch exported in shards: checks that every shard's part is there, all in the plan's
 * snapshot and covering it exactly once, then writes the batch manifest (once: a second commit fails).
 *
 * @example
 * ```ts ignore
 * import { commitShards } from "@parquet-storage/engine/postgres";
 * const summary = await commitShards("s3://lake/exports", "20261203T091500000Z_1a2b3c4d");
 * ```
 */
export async function commitShards(
  out: string,
  batch: string,
  options: Pick<ExportOptions, "s3"> = {},
): Promise<ExportSummary> {
  const root = normalizeRoot(out);
  const storage = await storageFor(root, { s3: options.s3 });
  const plan = await readPlan(storage, root, batch);
  const parts = await readParts(storage, root, batch);
  checkParts(plan, parts);
  const { tables, summaries } = mergeUnits(plan, parts.flatMap((p) => p.units));
  await writeBatchManifest(storage, root, plan, tables);
  return {
    batch,
    snapshot: plan.pgSnapshot,
    out: root,
    tables: summaries,
    skipped: plan.skipped ?? [],
    ...(plan.asText ? { asText: plan.asText } : {}),
  };
}

/**
 * Opens a leader for shards in other processes: takes and plans the snapshot, writes the plan under
 * `<out>/_manifests/_parts/<batch>/`, and holds the snapshot until `release()`.
 *
 * @example
 * ```ts ignore
 * import { connectPostgres, openShardLeader } from "@parquet-storage/engine/postgres";
 * const sql = connectPostgres();
 * const leader = await openShardLeader(sql, { out: "s3://lake/exports", parts: 4 });
 * console.log(`snapshot=${leader.plan.snapshot} batch=${leader.plan.batch}`);
 * // … start the shards, wait for them, then:
 * await leader.release();
 * await sql.end();
 * ```
 */
export async function openShardLeader(sql: Sql, options: LeaderOptions): Promise<SnapshotLeader> {
  refuseIceberg(options, "openShardLeader");
  const root = normalizeRoot(options.out);
  const storage = await storageFor(root, { s3: options.s3 });
  const leader = await openSnapshotLeader(sql, options);
  try {
    await writePlan(storage, root, leader.plan);
  } catch (error) {
    await leader.release();
    throw error;
  }
  return leader;
}

function unitContext(
  plan: ExportPlan,
  options: ExportOptions,
  storage: Storage,
  root: string,
  signal: AbortSignal,
): UnitContext {
  return { plan, options: { ...options, ...plan.shaping, schema: plan.schema }, storage, root, signal };
}

/** An abort controller that also aborts when a connection of `sql` is lost, or the caller stops the run. */
function abortOnLoss(sql: Sql, stop?: AbortSignal): AbortController {
  const abort = new AbortController();
  for (const signal of [connectionLost(sql), stop]) {
    signal?.addEventListener("abort", () => abort.abort(signal.reason), { once: true });
    if (signal?.aborted) abort.abort(signal.reason);
  }
  return abort;
}

/**
 * Shards in other processes join one batch manifest; an Iceberg table's commit needs the plan of the
 * process that wrote its files, so Iceberg exports run their jobs in one process.
 */
function refuseIceberg(options: ExportOptions, who: string): void {
  if (options.format === "iceberg") {
    throw new ParquetStorageError(
      `Cannot run ${who} with format: "iceberg": shards in other processes commit one batch manifest; export Iceberg tables with jobs in one process`,
    );
  }
}

function checkCount(what: string, value: number): number {
  if (!Number.isInteger(value) || value < 1) {
    throw new ParquetStorageError(`${what} must be a positive integer: current value is ${value}`);
  }
  return value;
}

/** Removes the files the given units wrote (best effort: what stays is invisible, for `vacuum`). */
async function removeFiles(storage: Storage, root: string, results: readonly UnitResult[]): Promise<void> {
  const files = results.flatMap((r) => r.table.files);
  await Promise.all(files.map((f) => storage.remove(storage.join(root, f.path)).catch(() => {})));
}
