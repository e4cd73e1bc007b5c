// This module is browser compatible.

/**
 * The immutable file naming rule: `{name}_{YYYYMMDD}_{HHMMSS}_{uuid8}.parquet`, in UTC.
 *
 * @module
 */

import { SchemaError } from "../errors.ts";

const SAFE = /[\p{L}\p{N}_.-]/u;

/**
 * The spelling of a table name in folder and file names: letters (any script), digits, `_`, `.` and `-`
 * stay; every other character is written `%XX` per UTF-8 byte (`with space` → `with%20space`), which
 * every file system and S3 accepts, hive-style engines read, and no two names share.
 *
 * @example
 * ```ts
 * import { safeName } from "./file_name.ts";
 * console.assert(safeName("with space") === "with%20space" && safeName("Ünïcode") === "Ünïcode");
 * ```
 */
export function safeName(name: string): string {
  if (name === "" || name === "." || name === "..") {
    throw new SchemaError(`Cannot name a file or folder ${JSON.stringify(name)}`);
  }
  let out = "";
  for (const char of name) {
    if (SAFE.test(char)) out += char;
    else {for (const byte of new TextEncoder().encode(char)) {
        out += `%${byte.toString(16).toUpperCase().padStart(2, "0")}`;
      }}
  }
  return out;
}

/**
 * Makes a new, never-before-used file name for `name` at `now` (UTC), the name in its
 * {@link safeName} spelling.
 *
 * The eight hex digits come from a random UUID, so two writers naming a file in the same second do not
 * collide (and the sinks refuse to replace a file even if they ever did).
 *
 * @example
 * ```ts
 * import { parquetFileName } from "@parquet-storage/engine/write";
 * const name = parquetFileName("borehole", new Date("2026-11-25T04:05:06Z"));
 * console.assert(/^borehole_20261125_040506_[0-9a-f]{8}\.parquet$/.test(name));
 * ```
 */
export function parquetFileName(name: string, now: Date = new Date()): string {
  const iso = now.toISOString(); // 2026-11-25T04:05:06.000Z
  const day = iso.slice(0, 10).replaceAll("-", "");
  const time = iso.slice(11, 19).replaceAll(":", "");
  const uuid8 = crypto.randomUUID().slice(0, 8);
  return `${safeName(name)}_${day}_${time}_${uuid8}.parquet`;
}

/** Matches names made by {@link parquetFileName}; group 1 is the table name. */
export const PARQUET_FILE_NAME: RegExp = /^(.+)_(\d{8})_(\d{6})_([0-9a-f]{8})\.parquet$/;
