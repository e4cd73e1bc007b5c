/**
 * A server-side cursor (`DECLARE … NO SCROLL CURSOR`, `FETCH n`, `CLOSE`) made of plain queries.
 *
 * Why not postgres.js's own `.cursor()`: its async iterator reports a clean end when the connection is
 * lost between two batches (a silently truncated table), and stopping its callback form early leaves the
 * connection's row counter behind, so the next query's rows land at the wrong indexes (postgres.js
 * 3.4.9). Each FETCH here is an ordinary query: it returns its rows or rejects.
 *
 * @module
 */

import type postgres from "postgres";
import { type IdleGuard, withIdleTimeout } from "./idle_timeout.ts";

/** A postgres.js client or transaction (read a snapshot by passing the transaction). */
export type SqlClient = postgres.Sql | postgres.TransactionSql;

/** A query fragment built with the client's tagged template, e.g. ``sql`SELECT * FROM t WHERE x > ${1}` ``. */
export type QueryFragment = postgres.PendingQuery<postgres.Row[]>;

/** An open cursor. */
export interface SqlCursor {
  /** The next rows, at most the batch size; an empty batch means the end. */
  fetch(): Promise<postgres.Row[]>;
  /** Closes the cursor (and ends the transaction it opened, if any); safe to call more than once. */
  close(): Promise<void>;
}

/**
 * Declares a cursor for `query`. Inside a transaction it lives in that transaction (and its snapshot);
 * given a pool, it reserves a connection and opens a transaction of its own, ended by `close()`. Once
 * `signal` is aborted, nothing more is sent. `label` starts the cursor's name (a table name, say). A
 * DECLARE or FETCH that PostgreSQL leaves unanswered for `idleTimeout` ms fails (see `IdleGuard`).
 *
 * @example
 * ```ts ignore
 * import postgres from "postgres";
 * import { openCursor } from "./sql_cursor.ts";
 * const sql = postgres("postgres://postgres@127.0.0.1:5432/test");
 * const cursor = await openCursor(sql, sql`SELECT generate_series(1, 10) AS n`, 4, { label: "numbers" });
 * for (let rows = await cursor.fetch(); rows.length; rows = await cursor.fetch()) console.log(rows);
 * await cursor.close();
 * ```
 */
export async function openCursor(
  sql: SqlClient,
  query: QueryFragment,
  batchSize: number,
  options: { label?: string; signal?: AbortSignal; table?: string } & IdleGuard = {},
): Promise<SqlCursor> {
  const { label = "parquet_storage", signal, table } = options;
  // A FETCH's answer comes whole: the wait for it is the wait for the server.
  const guarded = <T>(query: Promise<T>, what: string) => withIdleTimeout(query, options, what, table);
  const inTransaction = "savepoint" in sql;
  const reserved = inTransaction ? undefined : await (sql as postgres.Sql).reserve();
  const client: SqlClient = reserved ?? sql;
  // Named for what it reads, so that pg_stat_activity's "FETCH … FROM" line says which table is exporting.
  const name = `${label.slice(0, 40)}_${crypto.randomUUID().slice(0, 8)}`;
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    // After a connection loss there is nothing to close, and nothing must be sent (see connectionLost).
    if (signal?.aborted) return reserved?.release();
    try {
      if (reserved) await reserved`COMMIT`;
      else await client`CLOSE ${client(name)}`;
    } finally {
      reserved?.release();
    }
  };
  try {
    if (reserved) await reserved`BEGIN`;
    await guarded(client`DECLARE ${client(name)} NO SCROLL CURSOR FOR ${query}`, "declaring a cursor");
  } catch (error) {
    closed = true;
    if (reserved) {
      await reserved`ROLLBACK`.catch(() => {});
      reserved.release();
    }
    throw error;
  }
  // FETCH takes no parameters; the count is an integer the caller has checked.
  const count = client.unsafe(String(Math.trunc(batchSize)));
  return {
    fetch: async () => {
      signal?.throwIfAborted();
      return await guarded(client`FETCH ${count} FROM ${client(name)}`, "fetching rows");
    },
    close,
  };
}
