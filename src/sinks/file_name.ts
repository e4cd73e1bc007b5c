// This module is browser compatible.

/**
 * The immutable file naming rule: `{name}_{YYYYMMDD}_{HHMMSS}_{uuid8}.parquet`, in UTC.
 *
 * @module
 */

import { SchemaError } from "../errors.ts";

const SAFE_NAME = /^[\p{L}\p{N}_.-]+$/u;

/**
 * Makes a new, never-before-used file name for `name` at `now` (UTC).
 *
 * The eight hex digits come from a random UUID, so two writers naming a file in the same second do not
 * collide (and the sinks refuse to replace a file even if they ever did).
 *
 * @example
 * ```ts
 * import { parquetFileName } from "@parquet-storage/engine";
 * const name = parquetFileName("borehole", new Date("2026-11-25T04:05:06Z"));
 * console.assert(/^borehole_20261125_040506_[0-9a-f]{8}\.parquet$/.test(name));
 * ```
 */
export function parquetFileName(name: string, now: Date = new Date()): string {
  if (!SAFE_NAME.test(name)) {
    throw new SchemaError(
      `Cannot name a Parquet file as the name must be letters, digits, "_", "-" or ".": current value is ${
        JSON.stringify(name)
      }`,
    );
  }
  const iso = now.toISOString(); // 2026-11-25T04:05:06.000Z
  const day = iso.slice(0, 10).replaceAll("-", "");
  const time = iso.slice(11, 19).replaceAll(":", "");
  const uuid8 = crypto.randomUUID().slice(0, 8);
  return `${name}_${day}_${time}_${uuid8}.parquet`;
}

/** Matches names made by {@link parquetFileName}; group 1 is the table name. */
export const PARQUET_FILE_NAME: RegExp = /^(.+)_(\d{8})_(\d{6})_([0-9a-f]{8})\.parquet$/;
