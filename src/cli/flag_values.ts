/**
 * Values of the flags that need more than a number: sizes (`256MiB`), durations (`30m`) and output names.
 *
 * @module
 */

import { UsageError } from "./command.ts";

const SIZE_UNITS: Record<string, number> = {
  "": 1,
  b: 1,
  kb: 1e3,
  mb: 1e6,
  gb: 1e9,
  tb: 1e12,
  kib: 1024,
  mib: 1024 ** 2,
  gib: 1024 ** 3,
  tib: 1024 ** 4,
};

/**
 * Parses a size: bytes, or a number with a unit (`KB`, `MB`, `GB`, `TB` in powers of 1000, `KiB`, `MiB`,
 * `GiB`, `TiB` in powers of 1024, as DuckDB's `FILE_SIZE_BYTES` reads them).
 *
 * @throws {UsageError} naming `--max-file-size` and the value seen.
 * @example
 * ```ts
 * import { parseSize } from "./flag_values.ts";
 * console.assert(parseSize("256MiB") === 256 * 1024 * 1024 && parseSize("1GB") === 1e9);
 * ```
 */
export function parseSize(text: string, flag = "max-file-size"): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(text);
  const unit = match ? SIZE_UNITS[match[2].toLowerCase()] : undefined;
  const bytes = match && unit ? Math.floor(Number(match[1]) * unit) : NaN;
  if (!(bytes >= 1) || !Number.isSafeInteger(bytes)) {
    throw new UsageError(
      `--${flag} must be a size such as 268435456, 256MiB or 1GB: current value is ${text}`,
    );
  }
  return bytes;
}

/** The longest identifier PostgreSQL keeps (NAMEDATALEN - 1 bytes). */
const MAX_NAME_BYTES = 63;

/**
 * Checks a name given for a query's output as a table name is checked: not empty, not `.` or `..`, no
 * control characters, at most 63 bytes (PostgreSQL's longest identifier).
 *
 * @example
 * ```ts
 * import { checkOutputName } from "./flag_values.ts";
 * console.assert(checkOutputName("deep_boreholes") === undefined && checkOutputName("..") !== undefined);
 * ```
 */
export function checkOutputName(name: string): string | undefined {
  if (!name.trim() || name === "." || name === "..") return "it cannot be empty, . or ..";
  // deno-lint-ignore no-control-regex
  if (/[\x00-\x1f\x7f]/.test(name)) return "it cannot hold control characters";
  if (new TextEncoder().encode(name).length > MAX_NAME_BYTES) {
    return `it cannot be longer than ${MAX_NAME_BYTES} bytes, as a PostgreSQL table name`;
  }
  return undefined;
}

/** Parses a duration like `30m`, `6h`, `2d` or `90s` into milliseconds. */
export function parseDuration(text: string): number | undefined {
  const match = /^(\d+(?:\.\d+)?)(s|m|h|d)$/.exec(text.trim());
  if (!match) return undefined;
  const unit = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[match[2] as "s" | "m" | "h" | "d"];
  return Number(match[1]) * unit;
}
