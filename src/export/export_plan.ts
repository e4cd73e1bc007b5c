// This module is browser compatible.

/**
 * The plan of a parallel export: the units of work (whole tables, or block ranges of a large table)
 * and how they are spread over workers or shards. Planned once, by the transaction that holds the
 * snapshot, so that every worker and every shard process works from the same list: the sizes it is
 * made from (`pg_relation_size`, the planner's row estimate) are not part of the snapshot and may
 * differ a moment later.
 *
 * @module
 */

import type { AsTextColumn } from "../postgres/introspect.ts";
import type { SkippedRelation } from "../postgres/relations.ts";

/** The plan format identifier. */
export const PLAN_FORMAT = "parquet-storage.plan/1";

/** One unit of work: a whole table, or a range of its heap blocks. */
export interface PlanUnit {
  /** Position in the plan (units are listed table by table, ranges in block order). */
  index: number;
  /** Table name. */
  table: string;
  /**
   * Heap blocks `[from, to)` read by `ctid` range; `to: null` reads to the end of the table. Absent:
   * the whole table, exported as a run of one job would.
   */
  blocks?: { from: number; to: number | null };
  /** The blocks the unit reads, by which units are balanced. */
  weight: number;
}

/** What a parallel export reads, fixed when its snapshot is taken. */
export interface ExportPlan {
  /** Always {@link PLAN_FORMAT}. */
  format: typeof PLAN_FORMAT;
  /** The batch the run commits. */
  batch: string;
  /** The snapshot id from `pg_export_snapshot()`, imported by every worker. */
  snapshot: string;
  /** The snapshot as `pg_current_snapshot()` prints it, recorded in the manifest. */
  pgSnapshot: string;
  /** When the leader started (ISO 8601), the batch's `startedAt`. */
  startedAt: string;
  /** The PostgreSQL schema. */
  schema: string;
  /** The tables, in export order. */
  tables: string[];
  /** The options that shape which files a table becomes: every shard uses the leader's. */
  shaping: PlanShaping;
  /** The units of work. */
  units: PlanUnit[];
  /** Views and foreign tables of the schema left out of a whole-schema export, and why. */
  skipped: SkippedRelation[];
  /** The columns `unmappedAsText` made text (absent when none, or in plans written before it). */
  asText?: AsTextColumn[];
}

/** The export options a plan fixes for all its shards. */
export interface PlanShaping {
  /** See `ExportOptions.incremental`. */
  incremental: boolean;
  /** See `ExportOptions.watermarks`. */
  watermarks: Record<string, string>;
  /** See `ExportOptions.partitionBy`. */
  partitionBy: string[];
  /** See `ExportOptions.binaryCopy`. */
  binaryCopy: boolean;
  /** See `ExportOptions.unmappedAsText`. */
  unmappedAsText: boolean;
  /** See `ExportOptions.specialValues` (absent in plans written before it: `"error"`). */
  specialValues?: "error" | "null" | "text";
}

/** A table's size, as measured by the leader. */
export interface TableSize {
  /** Table name. */
  name: string;
  /** Heap blocks (`pg_relation_size / block_size`; for a partitioned table, of all its partitions). */
  blocks: number;
  /** The planner's row estimate. */
  rows: number;
  /** Whether it may be read as block ranges (a plain table through binary COPY, whole, unpartitioned). */
  splittable: boolean;
}

/** Options of {@link planUnits}. */
export interface PlanUnitsOptions {
  /** Workers (or shards) to keep busy: tables are split further while there are fewer units. Default 1. */
  parts?: number;
  /** A splittable table with more estimated rows than this is split into ranges of about as many rows. */
  shardRows: number;
}

/**
 * Cuts tables into units: a splittable table into `ceil(rows / shardRows)` block ranges, and, while
 * there are fewer units than `parts`, the splittable table with the most blocks per unit into one more.
 * The last range of a table is open-ended: a row visible in the snapshot lies below the size measured
 * after it was taken (vacuum cannot truncate pages the snapshot still needs), so nothing is missed.
 *
 * @example
 * ```ts
 * import { planUnits } from "./export_plan.ts";
 * const units = planUnits([{ name: "t", blocks: 100, rows: 5000, splittable: true }], { parts: 2, shardRows: 1e6 });
 * console.assert(units.length === 2 && units[1].blocks?.from === 50 && units[1].blocks?.to === null);
 * ```
 */
export function planUnits(tables: readonly TableSize[], options: PlanUnitsOptions): PlanUnit[] {
  const { parts = 1, shardRows } = options;
  const counts = tables.map((t) =>
    t.splittable && t.rows > shardRows ? Math.max(1, Math.min(Math.ceil(t.rows / shardRows), t.blocks)) : 1
  );
  let total = counts.reduce((a, b) => a + b, 0);
  while (total < parts) {
    let best = -1;
    for (let i = 0; i < tables.length; i++) {
      if (!tables[i].splittable || tables[i].blocks < counts[i] + 1) continue;
      if (best < 0 || tables[i].blocks / counts[i] > tables[best].blocks / counts[best]) best = i;
    }
    if (best < 0) break;
    counts[best]++;
    total++;
  }
  const units: PlanUnit[] = [];
  tables.forEach((table, i) => {
    const k = counts[i];
    if (k === 1) {
      units.push({ index: units.length, table: table.name, weight: Math.max(1, table.blocks) });
      return;
    }
    for (let j = 0; j < k; j++) {
      const from = Math.floor(j * table.blocks / k);
      const to = j === k - 1 ? null : Math.floor((j + 1) * table.blocks / k);
      units.push({
        index: units.length,
        table: table.name,
        blocks: { from, to },
        weight: Math.max(1, (to ?? table.blocks) - from),
      });
    }
  });
  return units;
}

/**
 * The units in the order workers take them: heaviest first (ties in plan order), so that the long
 * ones start early and the short ones fill the gaps at the end.
 *
 * @example
 * ```ts
 * import { heaviestFirst } from "./export_plan.ts";
 * const order = heaviestFirst([{ index: 0, table: "a", weight: 1 }, { index: 1, table: "b", weight: 9 }]);
 * console.assert(order[0].table === "b");
 * ```
 */
export function heaviestFirst(units: readonly PlanUnit[]): PlanUnit[] {
  return [...units].sort((a, b) => b.weight - a.weight || a.index - b.index);
}

/**
 * The units shard `index` of `count` (1-based) exports: heaviest first, each to the shard with the
 * least weight so far (ties to the lowest shard). Every shard computes the same split from the same
 * plan, so the shards are disjoint and together cover the plan.
 *
 * @example
 * ```ts
 * import { shardUnits } from "./export_plan.ts";
 * const units = [9, 5, 4].map((weight, index) => ({ index, table: `t${index}`, weight }));
 * console.assert(shardUnits(units, 1, 2).length === 1 && shardUnits(units, 2, 2).length === 2);
 * ```
 */
export function shardUnits(units: readonly PlanUnit[], index: number, count: number): PlanUnit[] {
  const load = new Array<number>(count).fill(0);
  const mine: PlanUnit[] = [];
  for (const unit of heaviestFirst(units)) {
    let least = 0;
    for (let s = 1; s < count; s++) if (load[s] < load[least]) least = s;
    load[least] += unit.weight;
    if (least === index - 1) mine.push(unit);
  }
  return mine.sort((a, b) => a.index - b.index);
}

/**
 * The `WHERE` clause of a block range, for a TID range scan (PostgreSQL 14+; older servers filter a
 * sequential scan, with the same rows).
 *
 * @example
 * ```ts
 * import { blockRangeClause } from "./export_plan.ts";
 * console.assert(blockRangeClause({ from: 0, to: 8 }) === `ctid >= '(0,0)'::tid AND ctid < '(8,0)'::tid`);
 * ```
 */
export function blockRangeClause(blocks: { from: number; to: number | null }): string {
  const from = `ctid >= '(${Math.trunc(blocks.from)},0)'::tid`;
  return blocks.to === null ? from : `${from} AND ctid < '(${Math.trunc(blocks.to)},0)'::tid`;
}
