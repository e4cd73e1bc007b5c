/**
 * A worker of a parallel export: a transaction on its own connection that imports the leader's
 * snapshot (`SET TRANSACTION SNAPSHOT`), so that what it reads is the same moment of the database as
 * every other worker, and exports units of the plan in it.
 *
 * @module
 */

import { BatchWriter } from "./batch_writer.ts";
import { type ManifestFile, type ManifestTable, relativePath } from "../read/manifest.ts";
import { SourceError } from "../errors.ts";
import type { Sql } from "../postgres/connect.ts";
import { copyBinaryStatement } from "../postgres/copy_binary.ts";
import { copyBinaryToParquet } from "./copy_to_parquet.ts";
import { openCopy } from "../postgres/copy_out.ts";
import type { ExportOptions, TableSummary } from "./export_options.ts";
import { exportInSnapshot, planTables } from "./snapshot_export.ts";
import { sourceError } from "../postgres/table_source.ts";
import { tableSpec } from "../schema/table.ts";
import type { TableDefinition } from "../schema/table.ts";
import { parquetFileName } from "../sinks/file_name.ts";
import type { Storage } from "../storage/storage.ts";
import type postgres from "postgres";
import { blockRangeClause, type ExportPlan, type PlanUnit } from "./export_plan.ts";
import type { TableTarget } from "./iceberg/iceberg_export.ts";
import { pipeFile } from "./pipeline.ts";
import { ProgressCounter } from "../streams/progress.ts";

/** What one unit wrote: its part of a table's manifest entry, and of its summary. */
export interface UnitResult {
  /** The unit's index in the plan. */
  index: number;
  /** The table's manifest entry, with the unit's files only. */
  table: ManifestTable;
  /** The unit's summary. */
  summary: TableSummary;
}

/** PostgreSQL's spelling of an exported snapshot id (`00000003-0000001B-1`; older servers `000003A1-1`). */
const SNAPSHOT_ID = /^[0-9A-Fa-f]+(-[0-9A-Fa-f]+)+$/;

/**
 * Checks that `snapshot` reads as an exported snapshot id (it is sent as a literal: `SET TRANSACTION
 * SNAPSHOT` takes no parameters).
 *
 * @example
 * ```ts
 * import { checkSnapshotId } from "./snapshot_worker.ts";
 * checkSnapshotId("00000003-0000001B-1");
 * ```
 */
export function checkSnapshotId(snapshot: string): void {
  if (!SNAPSHOT_ID.test(snapshot)) {
    throw new SourceError(
      `The snapshot id must be one that pg_export_snapshot() returned, such as 00000003-0000001B-1: current value is "${snapshot}"`,
    );
  }
}

/**
 * Runs `work` in a `REPEATABLE READ, READ ONLY` transaction on a connection of `sql` that has imported
 * `snapshot`. The transaction is rolled back after a failure, and left alone when its connection was
 * lost (postgres.js would send the ROLLBACK on the dropped socket).
 */
export async function inImportedSnapshot<T>(
  sql: Sql,
  snapshot: string,
  work: (tx: postgres.TransactionSql) => Promise<T>,
): Promise<T> {
  checkSnapshotId(snapshot);
  let closed = false;
  let running: Promise<T> | undefined;
  const transaction = sql.begin("isolation level repeatable read read only", async (tx) => {
    try {
      await tx.unsafe(`SET TRANSACTION SNAPSHOT '${snapshot}'`);
    } catch (cause) {
      throw snapshotError(snapshot, cause);
    }
    running = work(tx);
    return running.catch(async (error) => {
      // begin() rejects as soon as the connection closes: give that a turn to be seen.
      await new Promise((resolve) => setTimeout(resolve, 0));
      if (closed || connectionGone(error)) return new Promise<never>(() => {});
      throw error;
    });
  }) as Promise<T>;
  transaction.catch(() => closed = true);
  try {
    return await transaction;
  } catch (error) {
    // The unit being written may still be unwinding (its sink removing its temporary file): wait for it.
    const inner = await running?.then(() => undefined, (e: unknown) => e);
    throw inner ?? error;
  }
}

/** Whether `error` (or what caused it) says the connection to PostgreSQL is gone. */
function connectionGone(error: unknown): boolean {
  const gone = ["57P01", "57P02", "57P03", "CONNECTION_CLOSED", "CONNECTION_ENDED", "CONNECTION_DESTROYED"];
  for (let e = error as { code?: string; cause?: unknown } | undefined; e; e = e.cause as typeof e) {
    if (gone.includes(String(e.code))) return true;
  }
  return false;
}

function snapshotError(snapshot: string, cause: unknown): SourceError {
  const { code, message } = cause as { code?: string; message?: string };
  const why = code === "22023"
    ? "PostgreSQL knows no such snapshot: the leader's transaction that exported it must still be open " +
      "(start the shards while the leader runs, with the snapshot id it printed)"
    : message ?? String(cause);
  return new SourceError(`Cannot read in snapshot ${snapshot}: ${why}`, { cause });
}

/** What a worker needs to export units. */
export interface UnitContext {
  /** The plan. */
  plan: ExportPlan;
  /** The run's options, with the plan's shaping options. */
  options: ExportOptions;
  /** The output storage. */
  storage: Storage;
  /** The normalized output root. */
  root: string;
  /** Aborted when the run fails (or a connection is lost): no further unit starts. */
  signal: AbortSignal;
  /** The output format's side of each table (Iceberg field ids), when not a batch. */
  target?: TableTarget;
}

/** Exports the given units, one after another, in `tx` (which has imported the plan's snapshot). */
export async function exportUnits(
  tx: postgres.TransactionSql,
  units: AsyncIterable<PlanUnit> | Iterable<PlanUnit>,
  context: UnitContext,
  done: (result: UnitResult) => void,
): Promise<void> {
  const definitions = new Map<string, TableDefinition>();
  for await (const unit of units) {
    context.signal.throwIfAborted();
    if (!unit.blocks) {
      done(await exportWholeTable(tx, unit, context));
      continue;
    }
    let table = definitions.get(unit.table);
    if (!table) {
      const query = (text: string, params: unknown[]) => tx.unsafe(text, params as never[]);
      [table] = await planTables(query, { ...context.options, tables: [unit.table] });
      definitions.set(unit.table, table);
    }
    done(await exportBlockRange(tx, unit, table, context));
  }
}

/** A whole table, exported exactly as a run of one job exports it. */
async function exportWholeTable(
  tx: postgres.TransactionSql,
  unit: PlanUnit,
  { options, signal, root, target }: UnitContext,
): Promise<UnitResult> {
  const entries: ManifestTable[] = [];
  // Collects what the table's export records, instead of a batch of its own.
  const batch = new class extends BatchWriter {
    override record(...args: Parameters<BatchWriter["record"]>): ManifestTable {
      const entry = super.record(...args);
      if (!entries.includes(entry)) entries.push(entry);
      return entry;
    }
  }(root, { s3: options.s3 });
  const written = await exportInSnapshot(
    tx,
    { ...options, tables: [unit.table] },
    signal,
    () => {},
    () => {},
    batch,
    target,
  );
  return { index: unit.index, table: entries[0], summary: written.tables[0] };
}

/** A range of a table's heap blocks through binary COPY, as one file of its own. */
async function exportBlockRange(
  tx: postgres.TransactionSql,
  unit: PlanUnit,
  table: TableDefinition,
  { options, storage, root, signal, target }: UnitContext,
): Promise<UnitResult> {
  const prepared = await target?.prepare(table, []);
  const started = performance.now();
  const statement = rangedStatement(table, blockRangeClause(unit.blocks!));
  // A silent server fails the read after the idle timeout, as a whole table's COPY does.
  const copy = await openCopy(tx.unsafe(statement), { idleTimeout: options.idleTimeout, table: table.name })
    .catch((error) => {
      throw sourceError(table.name, error); // a backend lost as the COPY starts names the table too
    });
  let file: ManifestFile;
  let progress = { rows: 0 };
  const sent = new ProgressCounter(); // bytes as they leave for the sink, for the live line
  const seconds = () => (performance.now() - started) / 1000;
  const report = () =>
    options.onProgress?.({
      table: table.name,
      rows: progress.rows,
      seconds: seconds(),
      bytes: sent.bytes,
      done: false,
    });
  const timer = options.onProgress && setInterval(report, 250);
  try {
    const encoded = copyBinaryToParquet(copy.chunks, table, {
      rowGroupSize: options.rowGroupSize,
      codec: options.codec,
      compressionLevel: options.compressionLevel,
      ...prepared?.encode,
    });
    progress = encoded.progress;
    const location = storage.join(root, table.name, parquetFileName(table.name));
    const written = await pipeFile(encoded.stream, storage, location, { signal, progress: sent });
    file = {
      path: relativePath(root, written.location),
      rows: progress.rows,
      bytes: written.bytes,
      sha256: written.sha256!,
    };
  } catch (error) {
    await copy.stop().catch(() => {}); // a lost connection cannot stop its COPY; the first error is reported
    throw sourceError(table.name, signal.aborted ? signal.reason ?? error : error);
  } finally {
    clearInterval(timer);
  }
  await copy.end();
  options.onProgress?.({
    table: table.name,
    rows: file.rows,
    seconds: seconds(),
    bytes: file.bytes,
    done: true,
  });
  return {
    index: unit.index,
    table: { name: table.name, mode: "full", schema: tableSpec(table), files: [file], watermark: null },
    summary: {
      table: table.name,
      mode: "full",
      rows: file.rows,
      files: 1,
      bytes: file.bytes,
      seconds: seconds(),
      location: `${root}/${file.path}`,
    },
  };
}

/** The table's binary COPY statement, reading only the rows of a block range. */
function rangedStatement(table: TableDefinition, where: string): string {
  const statement = copyBinaryStatement(table, table.pgSchema, table.name);
  // The statement is `COPY (SELECT … FROM "schema"."table") TO STDOUT …`: the clause goes after FROM.
  const tail = ") TO STDOUT (FORMAT binary)";
  if (!statement.endsWith(tail)) throw new Error(`Unexpected COPY statement: ${statement}`);
  return `${statement.slice(0, -tail.length)} WHERE ${where}${tail}`;
}
