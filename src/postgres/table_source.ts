/**
 * The source: a table, or any query, read from PostgreSQL as a `ReadableStream` of canonical rows, in
 * batches through a cursor, so memory holds one batch whatever the table size, and the next batch is
 * fetched only when the stream is pulled.
 *
 * @module
 */

import { SourceError } from "../errors.ts";
import { selectList } from "./read_sql.ts";
import type { Columns, InferRow, TableDefinition } from "../schema/table.ts";
import { canonicalRow } from "./canonical_row.ts";
import { connectionLost } from "./connect.ts";
import { checkedTimeout, type IdleGuard } from "./idle_timeout.ts";
import { openCursor, type QueryFragment, type SqlClient, type SqlCursor } from "./sql_cursor.ts";

/** Where an incremental read starts: rows after this watermark (and key, for ties). */
export interface Since {
  /** The watermark column. */
  column: string;
  /** The last value exported, as text; `null` to read everything (ordered). */
  value: string | null;
  /** The primary key of the last row exported at that value, as text. */
  key: Record<string, string> | null;
}

/** Options of {@link tableRows} and {@link queryRows}. */
export interface TableSourceOptions extends IdleGuard {
  /** Rows fetched per round trip. Default 2,000 (see {@link DEFAULT_BATCH_SIZE}). */
  batchSize?: number;
  /** Read only rows after a watermark, in watermark order (tables only). */
  since?: Since;
  /**
   * Once aborted, no further query is sent and the stream errors with the signal's reason. Default: the
   * client's {@link connectionLost} signal when it comes from `connectPostgres` (pass it on when reading
   * through a transaction of that client).
   */
  signal?: AbortSignal;
}

/**
 * Rows per cursor fetch when not given: 2,000, small enough that a batch's row objects die young (a
 * 10,000-row batch outlived the young generation, and the old one grew: 284 MiB peak against 263 MiB
 * on the bench's 1M-row log table, in the same time).
 *
 * @example
 * ```ts
 * import { DEFAULT_BATCH_SIZE } from "@parquet-storage/engine/postgres";
 * console.assert(DEFAULT_BATCH_SIZE === 2_000);
 * ```
 */
export const DEFAULT_BATCH_SIZE = 2_000;

/**
 * Streams a table's rows in canonical form (int8 as bigint, numeric as exact text, timestamps with
 * microseconds, timestamptz in UTC, points as `{ latitude, longitude }`), typed by the table definition.
 * Pass a transaction to read a consistent snapshot. Identifiers go through postgres.js's helper.
 *
 * @throws {SourceError} (through the stream) naming the table: missing table, lost connection, a value
 * with no canonical form.
 * @example
 * ```ts ignore
 * import { introspectTable } from "@parquet-storage/engine/postgres";
 * import { connectPostgres, tableRows } from "@parquet-storage/engine/postgres";
 * const sql = connectPostgres();
 * const table = await introspectTable((text, params) => sql.unsafe(text, params as never[]), "borehole");
 * for await (const row of tableRows(sql, table)) console.log(row);
 * await sql.end();
 * ```
 */
export function tableRows<C extends Columns>(
  sql: SqlClient,
  table: TableDefinition<C>,
  options: TableSourceOptions = {},
): ReadableStream<InferRow<C>> {
  const from = sql`${sql(table.pgSchema)}.${sql(table.name)}`;
  return cursorRows(sql, table, tableQuery(sql, table, from, options.since), options);
}

/**
 * Streams the rows of any query, described by `table` (the columns the query returns, by name), in the
 * same canonical form as {@link tableRows}: the query is read as a subquery through `table`'s select list.
 *
 * @example
 * ```ts ignore
 * import { defineTable, numeric, uuid } from "@parquet-storage/engine";
 * import { connectPostgres, queryRows } from "@parquet-storage/engine/postgres";
 * const sql = connectPostgres();
 * const deep = defineTable("deep_boreholes", { id: uuid(), depth_m: numeric(8, 2) });
 * const rows = queryRows(sql, deep, sql`SELECT id, depth_m FROM borehole WHERE depth_m > ${30}`);
 * for await (const row of rows) console.log(row.id, row.depth_m);
 * await sql.end();
 * ```
 */
export function queryRows<C extends Columns>(
  sql: SqlClient,
  table: TableDefinition<C>,
  query: QueryFragment,
  options: Omit<TableSourceOptions, "since"> = {},
): ReadableStream<InferRow<C>> {
  return cursorRows(
    sql,
    table,
    sql`SELECT ${sql.unsafe(selectList(table))} FROM (${query}) AS source`,
    options,
  );
}

/** Reads `query` through a cursor, one batch per pull, each row made canonical. */
function cursorRows<C extends Columns>(
  sql: SqlClient,
  table: TableDefinition<C>,
  query: QueryFragment,
  options: TableSourceOptions,
): ReadableStream<InferRow<C>> {
  const { batchSize = DEFAULT_BATCH_SIZE, signal = connectionLost(sql), idleTimeout, onStall } = options;
  checkedTimeout(idleTimeout, table.name);
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new SourceError(
      `Cannot read a table as batchSize must be a positive integer: current value is ${batchSize}`,
      { table: table.name },
    );
  }
  const canonical = canonicalRow(table);
  let cursor: Promise<SqlCursor> | undefined;
  let rowNumber = 0;
  // highWaterMark 0: nothing is fetched ahead; a batch is fetched when the consumer wants a row and the
  // previous batch has been taken.
  return new ReadableStream<InferRow<C>>({
    async pull(controller) {
      try {
        signal?.throwIfAborted();
        cursor ??= openCursor(sql, query, batchSize, {
          label: table.name,
          table: table.name,
          signal,
          idleTimeout,
          onStall,
        });
        const open = await cursor;
        const rows = await open.fetch();
        if (!rows.length) {
          await open.close();
          return controller.close();
        }
        try {
          for (const row of rows) controller.enqueue(canonical(row, ++rowNumber) as InferRow<C>);
        } catch (error) {
          await open.close().catch(() => {});
          throw error;
        }
      } catch (cause) {
        // Once the connection is known lost, say so, whatever the socket error was (unless it was the
        // idle timeout that closed it).
        throw sourceError(
          table.name,
          signal?.aborted && !(cause instanceof SourceError) ? signal.reason : cause,
        );
      }
    },
    async cancel() {
      await cursor?.then((open) => open.close()).catch(() => {});
    },
  }, { highWaterMark: 0 });
}

/** The SELECT for a table, with the incremental condition and order when asked. */
function tableQuery(
  sql: SqlClient,
  table: TableDefinition,
  from: QueryFragment,
  since?: Since,
): QueryFragment {
  const base = sql`SELECT ${sql.unsafe(selectList(table))} FROM ${from}`;
  if (!since) return base;
  const keys = [since.column, ...table.primaryKey.filter((k) => k !== since.column)];
  for (const key of keys) {
    if (!(key in table.columns)) {
      throw new SourceError(`Incremental column is not in the table`, { table: table.name, column: key });
    }
  }
  // Identifiers one by one (sql(name)), joined here: a list helper would pick its meaning from the SQL
  // before it (identifiers after "(", values after "in"). Qualified, so that ORDER BY and WHERE mean the
  // table's columns and not the SELECT's text aliases of the same name.
  const column = (name: string) => sql`${from}.${sql(name)}`;
  // NULL watermarks first, so the last row read holds the largest watermark (as in since_sql.ts).
  const order = sql`ORDER BY ${
    commaList(sql, [sql`${column(since.column)} NULLS FIRST`, ...keys.slice(1).map(column)])
  }`;
  if (since.value === null) return sql`${base} ${order}`;
  // Through text: postgres.js would pass a timestamptz parameter through a millisecond Date.
  const cast = (name: string, value: string) =>
    sql`${value}::text::${sql.unsafe(table.columns[name].pgType)}`;
  if (!since.key || keys.length === 1) {
    return sql`${base} WHERE ${column(since.column)} > ${cast(since.column, since.value)} ${order}`;
  }
  // Row comparison: a later watermark, or the same one with a larger key (rows sharing a timestamp).
  const columns = commaList(sql, keys.map(column));
  const values = commaList(sql, keys.map((key, i) => cast(key, i === 0 ? since.value! : since.key![key])));
  return sql`${base} WHERE (${columns}) > (${values}) ${order}`;
}

/** `a, b, c` from fragments or identifiers. */
function commaList(sql: SqlClient, parts: unknown[]): QueryFragment {
  return parts.slice(1).reduce<QueryFragment>(
    (list, part) => sql`${list}, ${part as QueryFragment}`,
    sql`${parts[0] as QueryFragment}`,
  );
}

/**
 * Turns a driver error into a {@link SourceError} naming the table and what happened.
 *
 * @example
 * ```ts
 * import { sourceError } from "@parquet-storage/engine/postgres";
 * const error = sourceError("borehole", new Error("connection reset"));
 * console.assert(error.table === "borehole" && error.message.includes("connection reset"));
 * ```
 */
export function sourceError(table: string, cause: unknown): SourceError {
  if (cause instanceof SourceError) {
    return cause.table ? cause : new SourceError(cause.message, { table, cause: cause.cause });
  }
  const { code, message } = cause as { code?: string; message?: string };
  const why = code === "42P01"
    ? "the table does not exist"
    : code === "57P01" || code === "CONNECTION_CLOSED" || code === "CONNECTION_ENDED" ||
        code === "CONNECTION_DESTROYED" || code === "ECONNRESET" || code === "EPIPE"
    ? `the connection to PostgreSQL was lost (${message})`
    : code === "ECONNREFUSED" || code === "CONNECT_TIMEOUT"
    ? `PostgreSQL cannot be reached (${message})`
    : message ?? String(cause);
  return new SourceError(`Cannot read from PostgreSQL: ${why}`, { table, cause });
}
