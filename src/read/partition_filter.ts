// This module is browser compatible.

/**
 * Partition pruning: a dataset filter evaluated on one partition's values alone. Conditions on partition
 * columns are decided exactly (every row of the partition has that value); a condition on the source
 * column of a time key (`created_at` for `created_at:month`) rules a partition out only when no value of
 * its period can match. What remains is the filter for the file's own rows.
 *
 * @module
 */

import * as v from "valibot";
import { ReadError } from "../errors.ts";
import { columnFromSpec } from "../schema/columns.ts";
import { parquetLayout } from "../schema/parquet_schema.ts";
import type { Row, TableDefinition } from "../schema/table.ts";
import type { PartitionKey } from "../schema/partition_key.ts";
import { truncateTime } from "../schema/partition_key.ts";
import { compileFilter, type Filter, matches, type Predicate } from "./filters.ts";

/**
 * What a partition needs read: `false` when the filter rules the whole partition out, `true` when every
 * row matches as far as the partition columns go (no filter left), else the filter left for the file.
 */
export type PartitionVerdict = boolean | Filter;

/**
 * Compiles `filter` once for a dataset; the result decides each partition from its values (by key
 * name: typed values for column keys, `YYYY-MM…` text for time keys, `null` for NULL).
 *
 * `table` is the whole table when known: filter values are then checked and converted as rows carry
 * them, and unknown columns are refused. `otherColumns` are further names a filter may use (Parquet
 * columns of points, columns of files that record no table).
 */
export function partitionPruner(
  filter: Filter,
  table: TableDefinition,
  keys: readonly PartitionKey[],
  otherColumns: readonly string[] = [],
): (partition: Row) => PartitionVerdict {
  const known = new Set([...Object.keys(table.columns), ...otherColumns]);
  const timeKeys = new Map(keys.filter((k) => k.granularity).map((k) => [k.name, k]));
  const plainKeys = new Map(keys.filter((k) => !k.granularity).map((k) => [k.column, k]));
  const timeSources = new Map(keys.filter((k) => k.granularity).map((k) => [k.column, k]));
  // Filter values are kept as rows carry them (canonical): the residual goes to readParquet, which
  // converts them itself; comparisons with partition values go through the Parquet form, as row filters do.
  const predicate = compileFilter(filter, (column, value) => {
    if (timeKeys.has(column)) return String(value);
    if (!known.has(column)) {
      throw new ReadError(
        `Unknown column in filter: ${JSON.stringify(column)}; the dataset has ${
          [...known, ...timeKeys.keys()].join(", ")
        }`,
        { column },
      );
    }
    const definition = table.columns[column];
    if (!definition || definition.spec.kind === "point") return value;
    const result = v.safeParse(columnFromSpec({ ...definition.spec, nullable: false }).schema, value);
    if (!result.success) {
      throw new ReadError(
        `Filter value ${String(value)} does not fit the column: ${result.issues[0].message}`,
        { column },
      );
    }
    return result.output;
  });
  const layout = parquetLayout(table);
  const toParquet = (column: string) =>
    layout.columns.find((c) => c.name === column)?.toParquet ?? ((value: unknown) => value);

  const decide = (leaf: Leaf, partition: Row): Predicate | boolean => {
    const timeKey = timeKeys.get(leaf.column);
    if (timeKey) return matches(leaf, { [leaf.column]: partition[timeKey.name] });
    const plain = plainKeys.get(leaf.column);
    if (plain) {
      const convert = toParquet(leaf.column);
      const physical = {
        ...leaf,
        value: Array.isArray(leaf.value) ? leaf.value.map(convert) : convert(leaf.value),
      };
      return matches(physical, { [leaf.column]: convert(partition[plain.name]) });
    }
    const source = timeSources.get(leaf.column);
    if (source) {
      const period = partition[source.name] as string | null;
      // Every row of the NULL partition has a NULL source value: the leaf is decided exactly.
      if (period === null) return matches(leaf, { [leaf.column]: null });
      return outsidePeriod(leaf, period, source) ? false : leaf;
    }
    return leaf;
  };

  return (partition) => {
    const verdict = simplify(predicate, (leaf) => decide(leaf, partition));
    return typeof verdict === "boolean" ? verdict : toFilter(verdict);
  };
}

type Leaf = Extract<Predicate, { column: string }>;

function simplify(predicate: Predicate, decide: (leaf: Leaf) => Predicate | boolean): Predicate | boolean {
  if ("and" in predicate || "or" in predicate) {
    const isAnd = "and" in predicate;
    const parts = (isAnd ? predicate.and : predicate.or).map((p) => simplify(p, decide));
    // In an AND, one false part decides it; in an OR, one true part does.
    if (parts.includes(!isAnd)) return !isAnd;
    const open = parts.filter((p): p is Predicate => typeof p !== "boolean");
    if (open.length === 0) return isAnd;
    if (open.length === 1) return open[0];
    return isAnd ? { and: open } : { or: open };
  }
  return decide(predicate);
}

/**
 * True when no value whose period (at the key's granularity) is `period` can satisfy the leaf. Periods
 * of four-digit years order like their text, and truncation keeps order, so `x > v` implies
 * `period(x) >= period(v)`; other years are never pruned.
 */
function outsidePeriod(leaf: Leaf, period: string, key: PartitionKey): boolean {
  const periodOf = (value: unknown): string | undefined => {
    if (typeof value !== "string" || !/^\d{4}-/.test(value)) return undefined;
    return truncateTime(value, key.granularity!);
  };
  if (!/^\d{4}(-|$)/.test(period)) return false;
  if (leaf.op === "$in") {
    const periods = (leaf.value as unknown[]).map((value) => value === null ? null : periodOf(value));
    return periods.every((p) => p !== undefined && p !== period);
  }
  const target = periodOf(leaf.value);
  if (target === undefined) return false;
  switch (leaf.op) {
    case "$eq":
      return target !== period;
    case "$gt":
    case "$gte":
      return period < target;
    case "$lt":
      // `x < v` with `v` the first instant of its period: no value of that period is below it.
      return period > target || (period === target && startsPeriod(leaf.value as string, target));
    case "$lte":
      return period > target;
    default:
      return false;
  }
}

/** True when canonical `value` is the first instant of `period` (its truncation): `2022-08-01T00:00:00Z`. */
function startsPeriod(value: string, period: string): boolean {
  return /^(?:-01){0,2}(?:T00)?(?::00){0,2}(?:\.0*)?Z?$/.test(value.slice(period.length));
}

function toFilter(predicate: Predicate): Filter {
  if ("and" in predicate) return { $and: predicate.and.map(toFilter) };
  if ("or" in predicate) return { $or: predicate.or.map(toFilter) };
  return { [predicate.column]: { [predicate.op]: predicate.value } };
}
