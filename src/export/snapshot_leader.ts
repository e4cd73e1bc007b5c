/**
 * The leader of a parallel export: one `REPEATABLE READ, READ ONLY` transaction that exports its
 * snapshot (`pg_export_snapshot()`), plans the units of work in it, and stays open while workers (in
 * this process or in others) import the snapshot, since PostgreSQL lets a snapshot be imported only
 * while the transaction that exported it is open.
 *
 * @module
 */

import { newBatchId } from "../read/manifest.ts";
import { copyBinarySupports } from "../postgres/copy_binary.ts";
import type { Sql } from "../postgres/connect.ts";
import type { ExportOptions } from "./export_options.ts";
import { planTables } from "./snapshot_export.ts";
import { qualifiedName } from "../postgres/read_sql.ts";
import type { AsTextColumn } from "../postgres/introspect.ts";
import { skippedRelations } from "../postgres/relations.ts";
import type { TableDefinition } from "../schema/table.ts";
import type postgres from "postgres";
import { type ExportPlan, PLAN_FORMAT, planUnits, type TableSize } from "./export_plan.ts";

/**
 * A table with more estimated rows than this is split into block ranges of about as many rows.
 *
 * @example
 * ```ts
 * import { DEFAULT_SHARD_ROWS } from "@parquet-storage/engine/postgres";
 * console.assert(DEFAULT_SHARD_ROWS === 1_000_000);
 * ```
 */
export const DEFAULT_SHARD_ROWS = 1_000_000;

/** Options of {@link openSnapshotLeader}. */
export interface LeaderOptions extends ExportOptions {
  /** Workers or shards the plan should keep busy. Default 1 (tables are split by `shardRows` only). */
  parts?: number;
  /** See {@link DEFAULT_SHARD_ROWS}. */
  shardRows?: number;
  /** The batch id. Default: a new one. */
  batch?: string;
}

/** An open leader transaction. */
export interface SnapshotLeader {
  /** The plan, made in the snapshot. */
  readonly plan: ExportPlan;
  /** The tables of the plan, introspected in the snapshot. */
  readonly definitions: TableDefinition[];
  /** Cancels what the given backends are running (workers to stop when one has failed). */
  cancel(pids: number[]): Promise<void>;
  /** Ends the transaction: from then on the snapshot can no longer be imported. */
  release(): Promise<void>;
}

/**
 * Opens the leader's transaction on a connection of `sql`, exports its snapshot and plans the export.
 * Call `release()` once every worker has imported the snapshot (or finished).
 *
 * @example
 * ```ts ignore
 * const leader = await openSnapshotLeader(sql, { out: "./data", parts: 2 });
 * console.log(`snapshot=${leader.plan.snapshot} batch=${leader.plan.batch}`);
 * await leader.release();
 * ```
 */
export async function openSnapshotLeader(sql: Sql, options: LeaderOptions): Promise<SnapshotLeader> {
  const startedAt = new Date();
  let opened!: (leader: SnapshotLeader) => void;
  let failed!: (error: unknown) => void;
  const ready = new Promise<SnapshotLeader>((resolve, reject) => [opened, failed] = [resolve, reject]);
  let release!: () => void;
  const held = new Promise<void>((resolve) => release = resolve);
  let gone = false;
  const done = sql.begin("isolation level repeatable read read only", async (tx) => {
    const [{ snapshot, pg }] =
      await tx`SELECT pg_export_snapshot() AS snapshot, pg_current_snapshot()::text AS pg`;
    const query = (text: string, params: unknown[]) => tx.unsafe(text, params as never[]);
    const asText: AsTextColumn[] = [];
    const definitions = await planTables(query, options, asText);
    const skipped = options.tables?.length ? [] : await skippedRelations(query, options.schema ?? "public");
    const sizes: TableSize[] = [];
    for (const table of definitions) sizes.push(await tableSize(tx, table, options));
    const plan: ExportPlan = {
      format: PLAN_FORMAT,
      batch: options.batch ?? newBatchId(startedAt),
      snapshot: String(snapshot),
      pgSnapshot: String(pg),
      startedAt: startedAt.toISOString(),
      schema: options.schema ?? "public",
      tables: definitions.map((t) => t.name),
      shaping: {
        incremental: options.incremental ?? false,
        watermarks: options.watermarks ?? {},
        partitionBy: options.partitionBy ?? [],
        binaryCopy: options.binaryCopy ?? true,
        unmappedAsText: options.unmappedAsText ?? false,
        specialValues: options.specialValues ?? "error",
      },
      skipped,
      ...(asText.length ? { asText } : {}),
      units: planUnits(sizes, { parts: options.parts, shardRows: options.shardRows ?? DEFAULT_SHARD_ROWS }),
    };
    opened({
      plan,
      definitions,
      cancel: async (pids) => {
        if (pids.length && !gone) await tx`SELECT pg_cancel_backend(pid) FROM unnest(${pids}::int[]) AS pid`;
      },
      release: async () => {
        // After a connection loss postgres.js would send COMMIT on the dropped socket: leave it be.
        if (gone) return;
        release();
        await done.catch(() => {});
      },
    });
    await held;
  });
  done.catch((error) => {
    gone = true;
    failed(error); // once opened, a no-op: the workers' imports and reads report the loss
  });
  return await ready;
}

/** Measures a table for the plan: heap blocks, the planner's row estimate, whether ranges can read it. */
async function tableSize(
  tx: postgres.TransactionSql,
  table: TableDefinition,
  options: ExportOptions,
): Promise<TableSize> {
  const [{ kind, blocks }] = await tx`
    SELECT c.relkind AS kind,
           CASE WHEN c.relkind = 'p'
             THEN (SELECT coalesce(sum(pg_relation_size(p.relid)), 0) FROM pg_partition_tree(c.oid) p)
             ELSE pg_relation_size(c.oid) END::float8 / current_setting('block_size')::int AS blocks
      FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = ${table.pgSchema} AND c.relname = ${table.name}`;
  // The planner's estimate also covers a table never analysed (from its size and row width).
  const [explained] = await tx.unsafe(
    `EXPLAIN (FORMAT JSON) SELECT * FROM ${qualifiedName(table.pgSchema, table.name)}`,
  );
  const json = explained["QUERY PLAN"];
  const rows = Number((typeof json === "string" ? JSON.parse(json) : json)[0].Plan["Plan Rows"]);
  const column = options.watermarks?.[table.name] ?? "updated_at";
  const follows = (options.incremental ?? false) && column in table.columns;
  const partitioned = (options.partitionBy ?? []).some((key) => key.split(":")[0] in table.columns);
  const splittable = kind === "r" && (options.binaryCopy ?? true) && copyBinarySupports(table) &&
    !follows && !partitioned;
  return { name: table.name, blocks: Math.ceil(Number(blocks)), rows, splittable };
}
