// This module is browser compatible.

/**
 * Hive-style partition folder names (`key=value`): how any value becomes one safe path segment and how
 * it is read back.
 *
 * The escaping, exactly:
 * - Every ASCII character other than `A–Z a–z 0–9 - _ .` is written as `%XX` (two uppercase hex digits
 *   of its code). That is a superset of what Hive and Spark escape (`"#%'*:/=?\{[]^`, controls, DEL),
 *   and also covers space, `+` and the characters S3 and Windows treat specially (`&$@,;<>|~` …).
 * - Characters outside ASCII are kept as they are (UTF-8 in the path). Hive, Spark and Trino decode each
 *   `%XX` as one character, so percent-encoded UTF-8 would come back garbled there, and DuckDB refuses
 *   `%XX` sequences that are not UTF-8.
 * - SQL NULL is the folder `key=__HIVE_DEFAULT_PARTITION__`, which Hive, Spark, Trino and DuckDB all read
 *   as NULL.
 * - The empty string is `key=` (nothing after `=`); DuckDB reads it back as `''`. (Spark cannot hold an
 *   empty partition value at all: it writes `''` as NULL and refuses `key=` when it discovers partitions.)
 * - A string that readers would take for NULL (`__HIVE_DEFAULT_PARTITION__`, or `null` in any case,
 *   which DuckDB reads as NULL) has its first character percent-encoded: `%4EULL`, `%5F_HIVE_…`.
 *
 * `.` and `..` need no escaping: the segment always starts with the key and `=`, so it can never be a
 * path of its own, nor a hidden name.
 *
 * Decoding turns every `%XX` into the character with that code, as Hive does; a `%` not followed by two
 * hex digits stays as it is. Decoding what {@link escapePartitionValue} made gives back the same string.
 *
 * @module
 */

/** The folder value that stands for SQL NULL, as Hive writes it. */
export const HIVE_NULL = "__HIVE_DEFAULT_PARTITION__";

/** The longest segment we write, in UTF-8 bytes: most filesystems' limit on one name. */
export const MAX_SEGMENT_BYTES = 255;

const KEEP = /[A-Za-z0-9\-_.]/;
const LOOKS_NULL = /^(null|__HIVE_DEFAULT_PARTITION__)$/i;

/**
 * Escapes a value (or a key) for one path segment. `null` becomes {@link HIVE_NULL}.
 *
 * @example
 * ```ts
 * import { escapePartitionValue } from "./partition_path.ts";
 * console.assert(escapePartitionValue("a/b=c 50%") === "a%2Fb%3Dc%2050%25");
 * console.assert(escapePartitionValue("Zürich") === "Zürich");
 * console.assert(escapePartitionValue(null) === "__HIVE_DEFAULT_PARTITION__");
 * console.assert(escapePartitionValue("NULL") === "%4EULL");
 * ```
 */
export function escapePartitionValue(value: string | null): string {
  if (value === null) return HIVE_NULL;
  let out = "";
  for (const char of value) {
    const code = char.codePointAt(0)!;
    out += code < 0x80 && !KEEP.test(char) ? percent(code) : char;
  }
  // Only the first character changes, so that the folder still reads as the word to a person.
  return LOOKS_NULL.test(value) ? percent(value.charCodeAt(0)) + out.slice(1) : out;
}

/**
 * Reads a value back from a path segment's value part: {@link HIVE_NULL} is `null`, `%XX` is decoded.
 *
 * @example
 * ```ts
 * import { unescapePartitionValue } from "./partition_path.ts";
 * console.assert(unescapePartitionValue("a%2Fb%3Dc%2050%25") === "a/b=c 50%");
 * console.assert(unescapePartitionValue("__HIVE_DEFAULT_PARTITION__") === null);
 * console.assert(unescapePartitionValue("") === "");
 * ```
 */
export function unescapePartitionValue(text: string): string | null {
  if (text === HIVE_NULL) return null;
  return text.replace(/%([0-9A-Fa-f]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

/**
 * One folder name, `key=value`, escaped.
 *
 * @example
 * ```ts
 * import { partitionSegment } from "./partition_path.ts";
 * console.assert(partitionSegment("status", "on hold") === "status=on%20hold");
 * ```
 */
export function partitionSegment(key: string, value: string | null): string {
  return `${escapePartitionValue(key)}=${escapePartitionValue(value)}`;
}

/**
 * Splits a folder name into its key and value, or `undefined` when it is not `key=value`.
 *
 * @example
 * ```ts
 * import { parsePartitionSegment } from "./partition_path.ts";
 * const parsed = parsePartitionSegment("note=a%3Db");
 * console.assert(parsed?.key === "note" && parsed.value === "a=b");
 * ```
 */
export function parsePartitionSegment(segment: string): { key: string; value: string | null } | undefined {
  const at = segment.indexOf("=");
  if (at <= 0) return undefined;
  const key = unescapePartitionValue(segment.slice(0, at));
  if (key === null) return undefined;
  return { key, value: unescapePartitionValue(segment.slice(at + 1)) };
}

/** Size of a segment in UTF-8 bytes. */
export function segmentBytes(segment: string): number {
  return new TextEncoder().encode(segment).length;
}

function percent(code: number): string {
  return "%" + code.toString(16).toUpperCase().padStart(2, "0");
}
