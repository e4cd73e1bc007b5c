/**
 * Sample rows for the platform's 29 tables: referentially consistent, realistic (layers at increasing,
 * touching depths; lab reports with several versions; NULL where the real world leaves a gap; local
 * names and Unicode descriptions; points on land in the UK and Europe), and deterministic for a seed.
 *
 * Rows are canonical (they pass `v.parse(getSchema(table), row)`), generated columns and identities
 * included, so they can feed the streams directly or be inserted (see `src/cli/seed.ts`).
 *
 * @module
 */

import { ParquetStorageError } from "../../src/errors.ts";
import type { Row } from "../../src/schema/table.ts";
import { SCHEMA_GROUPS } from "../registry.ts";
import { BOREHOLE_TABLES } from "./generate_boreholes.ts";
import { CORE_TABLES } from "./generate_core.ts";
import { LAB_TABLES } from "./generate_lab.ts";
import { WORKFLOW_TABLES } from "./generate_workflow.ts";
import { Facts } from "./facts.ts";

/** Options of {@link platformRows}. */
export interface GenerateOptions {
  /** Rows of each main table (customers, projects, boreholes, lab reports, …); child tables get several
   * per parent (layers, samples, versions). At least 1; from 2 on, every table gets rows. Default 20. */
  rows?: number;
  /** Seed of the generator: the same seed gives the same rows. Default 1. */
  seed?: number;
}

/** One generated row and its table. */
export interface SeedRow {
  /** The table name. */
  table: string;
  /** The canonical row. */
  row: Row;
}

/** Generates one table's rows from the shared facts. */
export type TableGenerator = (facts: Facts) => Iterable<Row>;

const GENERATORS: Record<string, TableGenerator> = {
  ...CORE_TABLES,
  ...BOREHOLE_TABLES,
  ...LAB_TABLES,
  ...WORKFLOW_TABLES,
};

/**
 * The rows of one of the platform's tables, lazily.
 *
 * @example
 * ```ts
 * import { tableRows } from "./generate.ts";
 * const boreholes = [...tableRows("borehole", { rows: 3, seed: 7 })];
 * console.assert(boreholes.length === 3);
 * ```
 */
export function tableRows(table: string, options: GenerateOptions = {}): Iterable<Row> {
  const generator = GENERATORS[table];
  if (!generator) {
    throw new ParquetStorageError(`Cannot generate rows for ${JSON.stringify(table)}: not a platform table`);
  }
  return generator(facts(options));
}

/**
 * The rows of all 29 tables, table by table in dependency order (parents before children), lazily.
 *
 * @example
 * ```ts
 * import { platformRows } from "./generate.ts";
 * const tables = new Set([...platformRows({ rows: 2 })].map((r) => r.table));
 * console.assert(tables.size === 29);
 * ```
 */
export function* platformRows(options: GenerateOptions = {}): Generator<SeedRow> {
  const shared = facts(options);
  for (const table of Object.values(SCHEMA_GROUPS).flat()) {
    for (const row of GENERATORS[table](shared)) yield { table, row };
  }
}

function facts({ rows = 20, seed = 1 }: GenerateOptions): Facts {
  if (!Number.isSafeInteger(rows) || rows < 1) {
    throw new ParquetStorageError(
      `Cannot generate sample data as rows must be a positive integer: current value is ${rows}`,
    );
  }
  if (!Number.isSafeInteger(seed)) {
    throw new ParquetStorageError(
      `Cannot generate sample data as seed must be an integer: current value is ${seed}`,
    );
  }
  return new Facts(rows, seed);
}
