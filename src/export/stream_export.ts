/**
 * One table (or query) as one Parquet file's bytes into any byte stream — stdout, for `--out -` — read in
 * a `REPEATABLE READ, READ ONLY` transaction, through binary COPY where the columns allow. No batch and
 * no manifest: there is no folder to commit to.
 *
 * @module
 */

import { ParquetStorageError } from "../errors.ts";
import type { Sql } from "../postgres/connect.ts";
import { copyBinarySupports } from "../postgres/copy_binary.ts";
import { copyBinaryStatement } from "../postgres/copy_binary.ts";
import { copyBinaryToParquet } from "./copy_to_parquet.ts";
import { openCopy } from "../postgres/copy_out.ts";
import type { ExportOptions } from "./export_options.ts";
import { planTables } from "./snapshot_export.ts";
import { copyQueryStatement, describeQuery, querySql } from "../postgres/query_source.ts";
import { queryRows, sourceError, tableRows } from "../postgres/table_source.ts";
import type { CatalogQuery } from "../postgres/introspect.ts";
import type { TableDefinition } from "../schema/table.ts";
import { EncodeStream } from "../streams/encode_stream.ts";
import { ValidateStream } from "../streams/validate_stream.ts";

/** Options of {@link exportToStream}: an export's, for exactly one table or one query. */
export type StreamExportOptions = Omit<ExportOptions, "out" | "jobs" | "partitionBy" | "incremental">;

/** What {@link exportToStream} wrote. */
export interface StreamExportSummary {
  /** The table's (or query's) name. */
  table: string;
  /** Rows written. */
  rows: number;
  /** Bytes written. */
  bytes: number;
  /** The PostgreSQL snapshot the rows were read in. */
  snapshot: string;
}

/**
 * Writes one table, or one query, as one Parquet file into `out`, which it closes at the end (or aborts
 * on failure).
 *
 * @throws {ParquetStorageError} unless exactly one table or query is named.
 * @example
 * ```ts ignore
 * import { connectPostgres } from "@parquet-storage/engine/postgres";
 * import { exportToStream } from "./stream_export.ts";
 * const sql = connectPostgres();
 * await exportToStream(sql, { tables: ["borehole"] }, Deno.stdout.writable);
 * await sql.end();
 * ```
 */
export async function exportToStream(
  sql: Sql,
  options: StreamExportOptions,
  out: WritableStream<Uint8Array>,
): Promise<StreamExportSummary> {
  const count = (options.tables?.length ?? 0) + (options.queries?.length ?? 0);
  if (count !== 1) {
    throw new ParquetStorageError(
      `Cannot write more than one table to one stream: name exactly one table or query (current: ${count})`,
    );
  }
  const { validate = true, binaryCopy = true, signal } = options;
  const encoding = {
    rowGroupSize: options.rowGroupSize,
    codec: options.codec,
    compressionLevel: options.compressionLevel,
  };
  const guard = { idleTimeout: options.idleTimeout };
  let bytes = 0;
  const counted = new TransformStream<Uint8Array, Uint8Array>({
    transform(chunk, controller) {
      bytes += chunk.length;
      controller.enqueue(chunk);
    },
  });
  const done = counted.readable.pipeTo(out, { signal });
  done.catch(() => {});
  let name = options.queries?.[0]?.name ?? options.tables![0];
  try {
    return await sql.begin("isolation level repeatable read read only", async (tx) => {
      const [{ snapshot }] = await tx`SELECT pg_current_snapshot()::text AS snapshot`;
      const catalog: CatalogQuery = (text, params) => tx.unsafe(text, params as never[]);
      const source = options.queries?.[0];
      const table: TableDefinition = source
        ? await describeQuery(tx, source, { ...guard, unmappedAsText: options.unmappedAsText })
        : (await planTables(catalog, { ...options, out: "-" }))[0];
      name = table.name;
      let rows: number;
      if (binaryCopy && copyBinarySupports(table)) {
        const statement = source
          ? copyQueryStatement(table, source.sql)
          : copyBinaryStatement(table, table.pgSchema, table.name);
        const copy = await openCopy(tx.unsafe(statement), { ...guard, table: table.name });
        const encoded = copyBinaryToParquet(copy.chunks, table, encoding);
        try {
          await encoded.stream.pipeTo(counted.writable, { signal });
        } catch (error) {
          await copy.stop();
          throw error;
        }
        await copy.end();
        rows = encoded.progress.rows;
      } else {
        const read = { batchSize: options.batchSize, signal, ...guard };
        const rowsIn = source
          ? queryRows(tx, table, tx.unsafe(querySql(source)), read)
          : tableRows(tx, table, read);
        const encoder = new EncodeStream(table, encoding);
        const validated = validate ? rowsIn.pipeThrough(new ValidateStream(table), { signal }) : rowsIn;
        await validated.pipeThrough(encoder, { signal }).pipeTo(counted.writable, { signal });
        rows = encoder.rows;
      }
      await done;
      return { table: table.name, rows, bytes, snapshot: String(snapshot) };
    });
  } catch (error) {
    await out.abort(error).catch(() => {});
    if ((error as ParquetStorageError).table) throw error;
    throw sourceError(name, error);
  }
}
