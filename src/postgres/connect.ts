/**
 * Connecting to PostgreSQL with postgres.js, set up for exports: int8 as `bigint`, UTC session time zone,
 * notices silenced, and a clear {@link SourceError} when the server cannot be reached.
 *
 * @module
 */

import postgres from "postgres";
import { SourceError } from "../errors.ts";

/** A postgres.js client. */
export type Sql = postgres.Sql;

/** Where to connect: a URL, or nothing for postgres.js's defaults (the standard `PG*` variables). */
export interface ConnectOptions {
  /** `postgres://user@host:port/database`. Default: the `PG*` environment variables. */
  url?: string;
  /** Connections in the pool. Default 2 (the export holds one; a spare serves catalog queries). */
  max?: number;
}

/**
 * Opens a postgres.js client for exporting. Call `sql.end()` when done.
 *
 * @example
 * ```ts ignore
 * import { connectPostgres } from "@parquet-storage/engine/postgres";
 * const sql = connectPostgres({ url: "postgres://postgres@127.0.0.1:5432/test" });
 * await sql.end();
 * ```
 */
export function connectPostgres(options: ConnectOptions = {}): Sql {
  const lost = new AbortController();
  const settings = {
    max: options.max ?? 2,
    onnotice: () => {},
    // A long export must not have its connection retired under it.
    max_lifetime: null,
    onclose: () => {
      if (!lost.signal.aborted) {
        lost.abort(new SourceError("Cannot read from PostgreSQL: the connection to PostgreSQL was lost"));
      }
    },
    connection: { application_name: "parquet-storage", TimeZone: "UTC" },
    types: { bigint: postgres.BigInt },
  };
  let sql: Sql;
  try {
    const options_ = settings as unknown as postgres.Options<Record<string, postgres.PostgresType>>;
    sql = (options.url ? postgres(options.url, options_) : postgres(options_)) as unknown as Sql;
  } catch (cause) {
    throw new SourceError(`Cannot connect to PostgreSQL: ${(cause as Error).message}`, { cause });
  }
  lostSignals.set(sql, lost.signal);
  return sql;
}

const lostSignals = new WeakMap<object, AbortSignal>();

/**
 * A signal aborted as soon as a connection of a client from {@link connectPostgres} closes (backend
 * terminated, server restarted, network cut, or the client ended): the source sends no query after
 * that, since postgres.js 3.4.9 writes to a dropped socket when a transaction's connection is reused
 * after a loss, and crashes the process. `undefined` for other clients.
 *
 * @example
 * ```ts ignore
 * import { connectionLost, connectPostgres } from "./connect.ts";
 * const sql = connectPostgres();
 * connectionLost(sql)?.addEventListener("abort", () => console.error("lost"));
 * ```
 */
export function connectionLost(sql: object): AbortSignal | undefined {
  return lostSignals.get(sql);
}

/**
 * Describes where a client connects, without the password, for messages.
 *
 * @example
 * ```ts
 * import { connectPostgres, describeConnection } from "@parquet-storage/engine/postgres";
 * const sql = connectPostgres({ url: "postgres://postgres:secret@127.0.0.1:5432/test" });
 * console.assert(!describeConnection(sql).includes("secret"));
 * await sql.end();
 * ```
 */
export function describeConnection(sql: Sql): string {
  const { host, port, database, user } = sql.options as unknown as {
    host: string[];
    port: number[];
    database: string;
    user: string;
  };
  return `postgres://${user}@${host?.[0] ?? "localhost"}:${port?.[0] ?? 5432}/${database}`;
}
