// This module is browser compatible.

/**
 * Row filters, in one form (MongoDB-style, as hyparquet's own): `{ column: value }` for equality,
 * `{ column: { $gt: v, $lte: w } }` for comparisons (`$eq $ne $gt $gte $lt $lte $in $nin`), and
 * `{ $and: [...] }` / `{ $or: [...] }`. Values are given as rows carry them and compared as Parquet
 * stores them (exact decimals, microsecond timestamps), which lets row-group statistics prune.
 *
 * @module
 */

import { ReadError } from "../errors.ts";

/** A comparison on one column. */
export interface FilterOperators {
  /** Equal to. */
  $eq?: unknown;
  /** Not equal to (nulls do not match). */
  $ne?: unknown;
  /** Greater than. */
  $gt?: unknown;
  /** Greater than or equal to. */
  $gte?: unknown;
  /** Less than. */
  $lt?: unknown;
  /** Less than or equal to. */
  $lte?: unknown;
  /** One of. */
  $in?: unknown[];
  /** None of (nulls do not match). */
  $nin?: unknown[];
}

/** A row filter: see the module documentation. */
export type Filter =
  | { $and: Filter[] }
  | { $or: Filter[] }
  | { [column: string]: unknown | FilterOperators };

/** A filter reduced to physical values, ready to test row groups and rows. */
export type Predicate =
  | { and: Predicate[] }
  | { or: Predicate[] }
  | { column: string; op: Operator; value: unknown };

type Operator = "$eq" | "$ne" | "$gt" | "$gte" | "$lt" | "$lte" | "$in" | "$nin";
const OPERATORS = new Set<string>(["$eq", "$ne", "$gt", "$gte", "$lt", "$lte", "$in", "$nin"]);

/**
 * Checks a filter and converts its values with `toPhysical(column, value)`, which throws for an unknown
 * column or a value the column cannot hold.
 */
export function compileFilter(
  filter: Filter,
  toPhysical: (column: string, value: unknown) => unknown,
): Predicate {
  if (typeof filter !== "object" || filter === null || Array.isArray(filter)) {
    throw new ReadError(
      `A filter must be an object such as { depth: { $gt: 10 } }: received ${JSON.stringify(filter)}`,
    );
  }
  const parts: Predicate[] = [];
  for (const [key, condition] of Object.entries(filter)) {
    if (key === "$and" || key === "$or") {
      if (!Array.isArray(condition)) throw new ReadError(`${key} takes an array of filters`);
      const list = condition.map((f) => compileFilter(f, toPhysical));
      parts.push(key === "$and" ? { and: list } : { or: list });
      continue;
    }
    const isOperators = typeof condition === "object" && condition !== null && !Array.isArray(condition) &&
      !(condition instanceof Date) && Object.keys(condition).some((k) => k.startsWith("$"));
    const entries: [string, unknown][] = isOperators ? Object.entries(condition) : [["$eq", condition]];
    for (const [op, value] of entries) {
      if (!OPERATORS.has(op)) {
        throw new ReadError(`Unknown filter operator ${op}: expected one of ${[...OPERATORS].join(" ")}`, {
          column: key,
        });
      }
      const physical = op === "$in" || op === "$nin"
        ? asList(key, op, value).map((item) => item === null ? null : toPhysical(key, item))
        : value === null
        ? null
        : toPhysical(key, value);
      parts.push({ column: key, op: op as Operator, value: physical });
    }
  }
  return parts.length === 1 ? parts[0] : { and: parts };
}

function asList(column: string, op: string, value: unknown): unknown[] {
  if (!Array.isArray(value)) throw new ReadError(`${op} takes an array of values`, { column });
  return value;
}

/** The columns a predicate reads. */
export function predicateColumns(predicate: Predicate): string[] {
  if ("and" in predicate) return [...new Set(predicate.and.flatMap(predicateColumns))];
  if ("or" in predicate) return [...new Set(predicate.or.flatMap(predicateColumns))];
  return [predicate.column];
}

/** Tests one row of physical values. */
export function matches(predicate: Predicate, row: Record<string, unknown>): boolean {
  if ("and" in predicate) return predicate.and.every((p) => matches(p, row));
  if ("or" in predicate) return predicate.or.some((p) => matches(p, row));
  const actual = row[predicate.column];
  const { op, value } = predicate;
  if (op === "$eq") return equal(actual, value);
  if (op === "$in") return (value as unknown[]).some((v) => equal(actual, v));
  if (actual === null || actual === undefined) return false;
  if (op === "$ne") return !equal(actual, value);
  if (op === "$nin") return !(value as unknown[]).some((v) => equal(actual, v));
  if (value === null || isNaNValue(actual) || isNaNValue(value)) return false; // NaN is in no order
  const order = compare(actual, value);
  if (op === "$gt") return order > 0;
  if (op === "$gte") return order >= 0;
  if (op === "$lt") return order < 0;
  return order <= 0;
}

/** Column statistics of one row group, as physical values. */
export interface GroupStatistics {
  /** The smallest value, if known. */
  min?: unknown;
  /** The largest value, if known. */
  max?: unknown;
  /** How many nulls, if known. */
  nullCount?: bigint;
  /** Rows in the group. */
  rows: bigint;
}

/** True when the statistics prove that no row of the group can match. Unknown statistics never prune. */
export function canSkip(
  predicate: Predicate,
  stats: (column: string) => GroupStatistics | undefined,
): boolean {
  if ("and" in predicate) return predicate.and.some((p) => canSkip(p, stats));
  if ("or" in predicate) return predicate.or.every((p) => canSkip(p, stats));
  const s = stats(predicate.column);
  if (!s) return false;
  const { op, value } = predicate;
  const allNull = s.nullCount !== undefined && s.nullCount === s.rows;
  if (value === null) return op === "$eq" && s.nullCount === 0n;
  if (allNull) return op !== "$in" || !(value as unknown[]).includes(null);
  const { min, max } = s;
  if (min === undefined || max === undefined) return false;
  switch (op) {
    case "$eq":
      return compare(value, min) < 0 || compare(value, max) > 0;
    case "$in":
      return (value as unknown[]).every((v) => v !== null && (compare(v, min) < 0 || compare(v, max) > 0));
    case "$gt":
      return compare(max, value) <= 0;
    case "$gte":
      return compare(max, value) < 0;
    case "$lt":
      return compare(min, value) >= 0;
    case "$lte":
      return compare(min, value) > 0;
    default:
      return false;
  }
}

function equal(a: unknown, b: unknown): boolean {
  if (a === null || a === undefined || b === null || b === undefined) return a == b;
  if (isNaNValue(a) || isNaNValue(b)) return false; // NaN equals nothing, itself included
  return compare(a, b) === 0;
}

function isNaNValue(x: unknown): boolean {
  return typeof x === "number" && Number.isNaN(x);
}

function compare(a: unknown, b: unknown): number {
  if (typeof a === "object" || typeof b === "object") {
    const x = JSON.stringify(a, (_, v) => typeof v === "bigint" ? v.toString() : v);
    const y = JSON.stringify(b, (_, v) => typeof v === "bigint" ? v.toString() : v);
    return x < y ? -1 : x > y ? 1 : 0;
  }
  if (typeof a === "string" && typeof b === "string") return compareText(a, b);
  // Mixed number/bigint compares exactly in JavaScript.
  return (a as number) < (b as number) ? -1 : (a as number) > (b as number) ? 1 : 0;
}

/**
 * Text in code point order, which is UTF-8 byte order, as Parquet's statistics are: JavaScript's `<`
 * compares UTF-16 units and puts U+10000 and above before U+E000–U+FFFF.
 */
function compareText(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  let i = 0;
  while (i < n && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  if (i === n) return a.length - b.length;
  return a.codePointAt(i)! - b.codePointAt(i)!;
}
