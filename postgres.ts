/**
 * The PostgreSQL source: tables or queries streamed as canonical rows (through a server-side cursor, one
 * batch in memory, the next fetched only when pulled), and whole exports read in one `REPEATABLE READ`
 * snapshot and committed as a batch. A separate entry point, since postgres.js needs TCP sockets (Deno or
 * Node), which the main entry point does without.
 *
 * ```ts ignore
 * import { readParquet } from "@parquet-storage/engine";
 * import { connectPostgres, exportTables } from "@parquet-storage/engine/postgres";
 *
 * const sql = connectPostgres({ url: "postgres://postgres@127.0.0.1:5432/test" });
 * const summary = await exportTables(sql, { out: "./data", tables: ["borehole"] });
 * await sql.end();
 * console.log(await readParquet(summary.tables[0].location));
 * ```
 *
 * @module
 */

export { SchemaDriftError, SourceError } from "./src/errors.ts";

export { canonicalRow } from "./src/postgres/canonical_row.ts";
export {
  connectionLost,
  type ConnectOptions,
  connectPostgres,
  describeConnection,
  type Sql,
} from "./src/postgres/connect.ts";
export type {
  ExportOptions,
  ExportSummary,
  TableProgress,
  TableSummary,
} from "./src/export/export_options.ts";
export { exportTables } from "./src/export/export_tables.ts";
export { planTables } from "./src/export/snapshot_export.ts";
export { copyBinaryStatement, copyBinarySupports } from "./src/postgres/copy_binary.ts";
export {
  commitShards,
  exportInParallel,
  exportShard,
  openShardLeader,
  type ParallelOptions,
  type ShardOptions,
  type ShardSummary,
} from "./src/export/parallel_export.ts";
export { DEFAULT_SHARD_ROWS, type LeaderOptions, type SnapshotLeader } from "./src/export/snapshot_leader.ts";
export { type ExportPlan, type PlanShaping, type PlanUnit } from "./src/export/export_plan.ts";
export {
  type CopyBinaryProgress,
  copyBinaryToParquet,
  type CopyEncodeOptions,
} from "./src/export/copy_to_parquet.ts";
export { openCursor, type QueryFragment, type SqlClient, type SqlCursor } from "./src/postgres/sql_cursor.ts";
export {
  DEFAULT_BATCH_SIZE,
  queryRows,
  type Since,
  sourceError,
  tableRows,
  type TableSourceOptions,
} from "./src/postgres/table_source.ts";
export {
  type CatalogQuery,
  introspectColumns,
  type IntrospectOptions,
  introspectTable,
  listTables,
  type LiveColumn,
} from "./src/postgres/introspect.ts";
export { quoteIdent, readExpression, selectList } from "./src/postgres/read_sql.ts";
export {
  assertNoDrift,
  checkDrift,
  compareTable,
  type Drift,
  type DriftOptions,
} from "./src/postgres/drift.ts";
