/**
 * An export run: every table read inside one `REPEATABLE READ, READ ONLY` transaction (one moment of the
 * database), each written as a new immutable file, and the whole committed as one batch with a manifest.
 *
 * @module
 */
import type { ExportOptions, ExportSummary } from "./export_options.ts";
import { exportInSnapshot, tableError, type Written } from "./snapshot_export.ts";
import { BatchWriter } from "./batch_writer.ts";

import { ParquetStorageError, type SourceError } from "../errors.ts";

import { exportInParallel } from "./parallel_export.ts";

import { IcebergTarget } from "./iceberg/iceberg_export.ts";

import { connectionLost, type Sql } from "../postgres/connect.ts";

import { checkedTimeout } from "../postgres/idle_timeout.ts";

/**
 * Exports tables from PostgreSQL to Parquet, all read in one snapshot, committed as one batch. On failure
 * no manifest is written (files of tables already finished stay, complete and valid, for `vacuum`).
 *
 * @example
 * ```ts ignore
 * import { connectPostgres, exportTables } from "@parquet-storage/engine/postgres";
 * const sql = connectPostgres();
 * const summary = await exportTables(sql, { out: "./data", tables: ["borehole"] });
 * await sql.end();
 * ```
 */
export async function exportTables(sql: Sql, options: ExportOptions): Promise<ExportSummary> {
  const { format = "batch" } = options;
  if (format !== "batch" && format !== "iceberg") {
    throw new ParquetStorageError(
      `Cannot export as format must be "batch" or "iceberg": current value is ${JSON.stringify(format)}`,
    );
  }
  if (options.jobs !== undefined && options.jobs !== 1) {
    if (options.queries?.length || options.maxFileSize !== undefined) {
      throw new ParquetStorageError(
        `Cannot export queries or roll files over (maxFileSize) with jobs: current value is ${options.jobs}`,
      );
    }
    return await exportInParallel(sql, options);
  }
  const lost = connectionLost(sql);
  checkedTimeout(options.idleTimeout);
  // A silent server leaves its connection mid-query for good: the run fails with the stall's error,
  // and the client is ended, as nothing more can be asked of it.
  const stalled = new AbortController();
  const onStall = (error: SourceError) => {
    if (stalled.signal.aborted) return;
    stalled.abort(error);
    void sql.end({ timeout: 0 }).catch(() => {});
  };
  const stop = [stalled.signal, lost, options.signal].filter((s) => s !== undefined);
  const signal = AbortSignal.any(stop);
  let batch: BatchWriter | undefined;
  const first = new BatchWriter(options.out, { s3: options.s3 });
  const iceberg = format === "iceberg" ? new IcebergTarget(first) : undefined;
  let current: string | undefined;
  let work: Promise<Written> | undefined;
  let written: Written;
  try {
    written = await sql.begin("isolation level repeatable read read only", (tx) => {
      work = exportInSnapshot(
        tx,
        { ...options, onStall },
        signal,
        (table) => current = table,
        (b) => batch = b,
        first,
        iceberg,
      );
      // After a connection loss postgres.js would send ROLLBACK on the dropped socket and crash the
      // process: the transaction is gone anyway, so `begin` is left waiting (it has already rejected).
      return work.catch((error) => lost?.aborted ? new Promise<never>(() => {}) : Promise.reject(error));
    }) as Written;
  } catch (error) {
    // postgres.js rejects `begin` as soon as the connection closes, while the table being written is
    // still unwinding: wait for it, so its sink has removed its temporary file before anyone reports.
    const inner = await work?.then(() => undefined, (e: unknown) => e);
    if (options.signal?.aborted) await abandon(batch, options.signal);
    // Nothing names an Iceberg run's files before its commit, and vacuum leaves Iceberg tables alone.
    if (iceberg) await batch?.abandon().catch(() => {});
    const cause = stalled.signal.aborted ? stalled.signal.reason : inner ?? error;
    throw current ? tableError(current, cause) : cause;
  }
  // Committed only once the snapshot's transaction has ended cleanly.
  const { snapshot, tables, skipped, asText } = written;
  if (options.signal?.aborted) await abandon(written.batch, options.signal);
  const summary: ExportSummary = {
    batch: written.batch.id,
    snapshot,
    out: written.batch.root,
    tables,
    skipped,
    ...(asText.length ? { asText } : {}),
  };
  if (iceberg) return { ...summary, iceberg: await iceberg.commit(written.batch.tables) };
  await written.batch.commit({ snapshot });
  return summary;
}

/** A stopped run leaves nothing: the files of tables already finished go too. */
async function abandon(batch: BatchWriter | undefined, signal: AbortSignal): Promise<never> {
  await batch?.abandon();
  throw signal.reason;
}
