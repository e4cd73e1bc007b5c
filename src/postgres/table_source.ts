/**
 * The source: a table read from PostgreSQL as a `ReadableStream` of rows, in batches through a cursor, so
 * memory holds one batch whatever the table size, and the next batch is fetched only when pulled.
 *
 * @module
 */

import type postgres from "postgres";
import { SourceError } from "../errors.ts";
import { quoteIdent, selectList } from "../schema/introspect.ts";
import type { Row, TableDefinition } from "../schema/table.ts";

/** Where an incremental read starts: rows after this watermark (and key, for ties). */
export interface Since {
  /** The watermark column. */
  column: string;
  /** The last value exported, as text; `null` to read everything (ordered). */
  value: string | null;
  /** The primary key of the last row exported at that value, as text. */
  key: Record<string, string> | null;
}

/** Options of {@link tableRows}. */
export interface TableSourceOptions {
  /** Rows fetched per round trip. Default 10,000. */
  batchSize?: number;
  /** Read only rows after a watermark, in watermark order. */
  since?: Since;
}

/**
 * Streams a table's rows in canonical form (see `selectList`): use it inside a transaction to read a
 * consistent snapshot.
 *
 * @example
 * ```ts ignore
 * import { connectPostgres, introspectTable, tableRows } from "@parquet-storage/engine";
 * const sql = connectPostgres();
 * const table = await introspectTable((text, params) => sql.unsafe(text, params as never[]), "borehole");
 * for await (const row of tableRows(sql, table)) console.log(row);
 * ```
 */
export function tableRows(
  sql: postgres.Sql | postgres.TransactionSql,
  table: TableDefinition,
  options: TableSourceOptions = {},
): ReadableStream<Row> {
  const { batchSize = 10_000, since } = options;
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new SourceError(
      `Cannot read a table as batchSize must be a positive integer: current value is ${batchSize}`,
      {
        table: table.name,
      },
    );
  }
  const { text, params } = query(table, since);
  let batches: AsyncIterator<Row[]> | undefined;
  return new ReadableStream<Row>({
    async pull(controller) {
      try {
        batches ??= (sql.unsafe(text, params as never[]).cursor(batchSize) as AsyncIterable<Row[]>)
          [Symbol.asyncIterator]();
        const { done, value } = await batches.next();
        if (done) controller.close();
        else for (const row of value) controller.enqueue(row);
      } catch (cause) {
        throw sourceError(table.name, cause);
      }
    },
    async cancel() {
      await batches?.return?.();
    },
  }, { highWaterMark: 0 });
}

/** The SELECT for a table, with the incremental condition and order when asked. */
export function query(table: TableDefinition, since?: Since): { text: string; params: string[] } {
  const from = `${quoteIdent(table.pgSchema)}.${quoteIdent(table.name)}`;
  const base = `SELECT ${selectList(table)} FROM ${from}`;
  if (!since) return { text: base, params: [] };
  const keys = [since.column, ...table.primaryKey.filter((k) => k !== since.column)];
  for (const key of keys) {
    if (!(key in table.columns)) {
      throw new SourceError(`Incremental column is not in the table`, { table: table.name, column: key });
    }
  }
  // Qualified, so that ORDER BY means the table's columns and not the SELECT's text aliases.
  const qualified = (column: string) => `${from}.${quoteIdent(column)}`;
  const order = ` ORDER BY ${keys.map(qualified).join(", ")}`;
  if (since.value === null) return { text: base + order, params: [] };
  // Through text: postgres.js would pass a timestamptz parameter through a millisecond Date.
  const cast = (column: string, i: number) => `$${i + 1}::text::${table.columns[column].pgType}`;
  if (!since.key || keys.length === 1) {
    return {
      text: `${base} WHERE ${qualified(since.column)} > ${cast(since.column, 0)}${order}`,
      params: [since.value],
    };
  }
  const values = [since.value, ...keys.slice(1).map((k) => since.key![k])];
  // Row comparison: later watermark, or the same one with a larger key (rows sharing a timestamp).
  return {
    text: `${base} WHERE (${keys.map(qualified).join(", ")}) > (${keys.map(cast).join(", ")})${order}`,
    params: values,
  };
}

/** Turns a driver error into a {@link SourceError} naming the table and what happened. */
export function sourceError(table: string, cause: unknown): SourceError {
  if (cause instanceof SourceError) return cause;
  const { code, message } = cause as { code?: string; message?: string };
  const lost = [
    "57P01",
    "57P02",
    "57P03",
    "CONNECTION_CLOSED",
    "CONNECTION_ENDED",
    "CONNECTION_DESTROYED",
    "EPIPE",
    "ECONNRESET",
  ]
    .includes(code ?? "") || /socket has been ended|terminating connection/i.test(message ?? "");
  const why = code === "42P01"
    ? "the table does not exist"
    : lost
    ? `the connection to PostgreSQL was lost (${message})`
    : code === "ECONNREFUSED" || code === "CONNECT_TIMEOUT"
    ? `PostgreSQL cannot be reached (${message})`
    : message ?? String(cause);
  return new SourceError(`Cannot read from PostgreSQL: ${why}`, { table, cause });
}
