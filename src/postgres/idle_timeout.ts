// This module is browser compatible.

/**
 * How long a read waits for PostgreSQL before giving up. A server (or a proxy, or a half-open network
 * path) that keeps the socket open but sends nothing is not noticed by TCP keepalives, and postgres.js
 * has no timeout for a running query: without this, an export would wait forever.
 *
 * @module
 */

import { SourceError } from "../errors.ts";

/**
 * Default milliseconds a read waits for PostgreSQL's next bytes (a COPY's data, a FETCH's rows, a
 * catalog query's answer): 2 minutes, so that a slow first FETCH of a sorted incremental read or a
 * lock waited on still passes, and a stalled connection fails well before anyone gives up on it.
 */
export const PG_IDLE_TIMEOUT_MS = 120_000;

/** How a source reacts to a silent server. */
export interface IdleGuard {
  /** Milliseconds to wait for PostgreSQL before failing. Default {@link PG_IDLE_TIMEOUT_MS}. */
  idleTimeout?: number;
  /**
   * Called once the wait is over, with the error the read fails with: the connection is stuck mid-query
   * and can only be closed (`exportTables` ends the client). Default: nothing.
   */
  onStall?: (error: SourceError) => void;
}

/** The error of a read that waited `ms` for PostgreSQL. */
export function stallError(ms: number, what: string, table?: string): SourceError {
  return new SourceError(
    `Cannot read from PostgreSQL: it sent nothing for ${seconds(ms)} while ${what} ` +
      `(the idle timeout; raise idleTimeout or --idle-timeout if the server is only slow)`,
    { table },
  );
}

/**
 * Settles as `promise` does, or rejects with {@link stallError} once `idleTimeout` milliseconds pass
 * first (calling `onStall`).
 */
export function withIdleTimeout<T>(
  promise: Promise<T>,
  guard: IdleGuard,
  what: string,
  table?: string,
): Promise<T> {
  const ms = checkedTimeout(guard.idleTimeout, table);
  let timer: ReturnType<typeof setTimeout> | undefined;
  const stalled = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const error = stallError(ms, what, table);
      guard.onStall?.(error);
      reject(error);
    }, ms);
  });
  return Promise.race([promise, stalled]).finally(() => clearTimeout(timer));
}

/** `idleTimeout` with its default applied, refusing anything but a positive number of milliseconds. */
export function checkedTimeout(idleTimeout: number | undefined, table?: string): number {
  const ms = idleTimeout ?? PG_IDLE_TIMEOUT_MS;
  if (!(typeof ms === "number" && ms > 0 && Number.isFinite(ms))) {
    throw new SourceError(
      `Cannot read from PostgreSQL as idleTimeout must be a positive number of milliseconds: current value is ${ms}`,
      { table },
    );
  }
  return ms;
}

function seconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${(ms / 1000).toFixed(1)} s`;
}
