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
 * import { connectPostgres } from "@parquet-storage/engine";
 * const sql = connectPostgres({ url: "postgres://postgres@127.0.0.1:5432/test" });
 * await sql.end();
 * ```
 */
export function connectPostgres(options: ConnectOptions = {}): Sql {
  const settings = {
    max: options.max ?? 2,
    onnotice: () => {},
    connection: { application_name: "parquet-storage", TimeZone: "UTC" },
    types: { bigint: postgres.BigInt },
  };
  try {
    const options_ = settings as unknown as postgres.Options<Record<string, postgres.PostgresType>>;
    return (options.url ? postgres(options.url, options_) : postgres(options_)) as unknown as Sql;
  } catch (cause) {
    throw new SourceError(`Cannot connect to PostgreSQL: ${(cause as Error).message}`, { cause });
  }
}

/** Describes where a client connects, without the password, for messages. */
export function describeConnection(sql: Sql): string {
  const { host, port, database, user } = sql.options as unknown as {
    host: string[];
    port: number[];
    database: string;
    user: string;
  };
  return `postgres://${user}@${host?.[0] ?? "localhost"}:${port?.[0] ?? 5432}/${database}`;
}
