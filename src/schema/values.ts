// This module is browser compatible.

/**
 * Exact conversions between the values rows carry and the numbers Parquet stores: decimals as strings ↔
 * unscaled bigints, timestamps as ISO strings ↔ microseconds, dates as `YYYY-MM-DD` ↔ days. Hand-written
 * because no dependency does these exactly (JavaScript's `Date` stops at milliseconds, and a decimal
 * through a `number` is rounded).
 *
 * @module
 */

const DECIMAL = /^([+-])?(\d*)(?:\.(\d*))?$/;
const TIMESTAMP =
  /^(\d{4,6})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?\s*(Z|[+-]\d{2}(?::?\d{2}(?::?\d{2})?)?)?$/i;
const MICROS_PER_DAY = 86_400_000_000n;
const MS_PER_DAY = 86_400_000;

/**
 * Parses a decimal (string, number or bigint) into its unscaled integer at `scale`, checking precision.
 * Returns a reason string when the value does not fit, so the caller can say which column it was.
 */
export function parseDecimal(
  value: string | number | bigint,
  precision: number,
  scale: number,
): bigint | string {
  if (typeof value === "bigint") value = value.toString();
  if (typeof value === "number") {
    if (!Number.isFinite(value)) return `expected a finite number, received ${value}`;
    value = numberToPlainString(value);
  }
  const match = DECIMAL.exec(value.trim());
  if (!match || (!match[2] && !match[3])) {
    return `expected a decimal number, received ${JSON.stringify(value)}`;
  }
  const [, sign, whole = "", fraction = ""] = match;
  const significantFraction = fraction.replace(/0+$/, "");
  if (significantFraction.length > scale) {
    return `${
      JSON.stringify(value)
    } has ${significantFraction.length} fraction digits, numeric(${precision},${scale}) keeps ${scale}`;
  }
  const integerDigits = whole.replace(/^0+/, "");
  if (integerDigits.length > precision - scale) {
    return `${JSON.stringify(value)} does not fit numeric(${precision},${scale}): at most ${
      precision - scale
    } digits before the point`;
  }
  const unscaled = BigInt((integerDigits || "0") + significantFraction.padEnd(scale, "0"));
  return sign === "-" ? -unscaled : unscaled;
}

/** Formats an unscaled decimal as PostgreSQL does: exactly `scale` fraction digits. */
export function formatDecimal(unscaled: bigint, scale: number): string {
  const negative = unscaled < 0n;
  const digits = (negative ? -unscaled : unscaled).toString().padStart(scale + 1, "0");
  const whole = digits.slice(0, digits.length - scale);
  const text = scale ? `${whole}.${digits.slice(digits.length - scale)}` : whole;
  return negative ? `-${text}` : text;
}

/** Reads a big-endian two's-complement integer, as Parquet stores FIXED_LEN_BYTE_ARRAY decimals. */
export function bytesToBigInt(bytes: Uint8Array): bigint {
  let result = 0n;
  for (const byte of bytes) result = (result << 8n) | BigInt(byte);
  if (bytes.length && bytes[0] & 0x80) result -= 1n << BigInt(bytes.length * 8);
  return result;
}

/** Canonicalises an unconstrained decimal (PostgreSQL `numeric` without precision) as a plain string. */
export function normalizeDecimalText(value: string | number | bigint): string | undefined {
  if (typeof value === "bigint") return value.toString();
  if (typeof value === "number") return Number.isFinite(value) ? numberToPlainString(value) : undefined;
  const match = DECIMAL.exec(value.trim());
  if (!match || (!match[2] && !match[3])) return undefined;
  const [, sign, whole = "", fraction = ""] = match;
  const integer = whole.replace(/^0+/, "") || "0";
  const frac = fraction.replace(/0+$/, "");
  const text = frac ? `${integer}.${frac}` : integer;
  return sign === "-" && /[1-9]/.test(text) ? `-${text}` : text;
}

/**
 * Parses a timestamp into microseconds since 1970-01-01 UTC.
 *
 * Accepts a `Date`, a bigint of microseconds, or an ISO-8601 / PostgreSQL text timestamp with up to
 * nine fraction digits (beyond six is refused rather than rounded). `withZone` says whether the column
 * is `timestamptz`: then an offset is applied, and a text without one is read as UTC; for a
 * `timestamp` (without time zone) a text carrying an offset is refused, since PostgreSQL would drop it.
 * Returns a reason string when the value is not a timestamp.
 */
export function parseTimestamp(value: unknown, withZone: boolean): bigint | string {
  if (typeof value === "bigint") return value;
  if (value instanceof Date) {
    const ms = value.getTime();
    return Number.isNaN(ms) ? "expected a valid Date, received an Invalid Date" : BigInt(ms) * 1000n;
  }
  if (typeof value !== "string") {
    return `expected a timestamp (string, Date or bigint), received ${describe(value)}`;
  }
  const match = TIMESTAMP.exec(value.trim());
  if (!match) return `expected an ISO-8601 timestamp, received ${JSON.stringify(value)}`;
  const [, y, mo, d, h = "0", mi = "0", s = "0", fraction = "", zone] = match;
  if (fraction.length > 6 && /[1-9]/.test(fraction.slice(6))) {
    return `${JSON.stringify(value)} has more than microsecond precision`;
  }
  if (zone && !withZone && zone.toUpperCase() !== "Z") {
    return `${JSON.stringify(value)} has a time zone offset, but the column is a timestamp without time zone`;
  }
  const days = daysFromCivil(Number(y), Number(mo), Number(d));
  if (days === undefined || Number(h) > 23 || Number(mi) > 59 || Number(s) > 59) {
    return `${JSON.stringify(value)} is not a valid date and time`;
  }
  const seconds = BigInt(days) * 86_400n + BigInt(Number(h) * 3600 + Number(mi) * 60 + Number(s));
  const micros = seconds * 1_000_000n + BigInt(fraction.slice(0, 6).padEnd(6, "0"));
  return micros - offsetMicros(zone);
}

/** Formats microseconds since the epoch as `YYYY-MM-DDTHH:MM:SS.ffffff`, with `Z` when `withZone`. */
export function formatTimestamp(micros: bigint, withZone: boolean, fractionDigits = 6): string {
  let days = micros / MICROS_PER_DAY;
  let rest = micros % MICROS_PER_DAY;
  if (rest < 0n) {
    rest += MICROS_PER_DAY;
    days -= 1n;
  }
  const date = formatDate(Number(days));
  const secondsOfDay = Number(rest / 1_000_000n);
  const fraction = (rest % 1_000_000n).toString().padStart(6, "0").slice(0, fractionDigits);
  const hh = String(Math.floor(secondsOfDay / 3600)).padStart(2, "0");
  const mm = String(Math.floor(secondsOfDay / 60) % 60).padStart(2, "0");
  const ss = String(secondsOfDay % 60).padStart(2, "0");
  return `${date}T${hh}:${mm}:${ss}${fractionDigits ? "." + fraction : ""}${withZone ? "Z" : ""}`;
}

/** Parses a date (`YYYY-MM-DD` text, or a `Date` taken at its UTC day) into days since 1970-01-01. */
export function parseDate(value: unknown): number | string {
  if (value instanceof Date) {
    const ms = value.getTime();
    return Number.isNaN(ms) ? "expected a valid Date, received an Invalid Date" : Math.floor(ms / MS_PER_DAY);
  }
  if (typeof value !== "string") return `expected a date (YYYY-MM-DD or Date), received ${describe(value)}`;
  const match = /^(\d{4,6})-(\d{2})-(\d{2})$/.exec(value.trim());
  const days = match && daysFromCivil(Number(match[1]), Number(match[2]), Number(match[3]));
  return days ?? `expected a date as YYYY-MM-DD, received ${JSON.stringify(value)}`;
}

/** Formats days since 1970-01-01 as `YYYY-MM-DD` (proleptic Gregorian, like PostgreSQL). */
export function formatDate(days: number): string {
  const date = new Date(0);
  date.setUTCFullYear(1970, 0, 1 + days);
  const year = date.getUTCFullYear();
  const y = year < 0 ? "-" + String(-year).padStart(6, "0") : String(year).padStart(4, "0");
  return `${y}-${String(date.getUTCMonth() + 1).padStart(2, "0")}-${
    String(date.getUTCDate()).padStart(2, "0")
  }`;
}

/** A short, safe description of a value for error messages. */
export function describe(value: unknown): string {
  if (value === null) return "null";
  if (value === undefined) return "undefined";
  if (typeof value === "bigint") return `${value}n`;
  if (typeof value === "string") {
    return JSON.stringify(value.length > 60 ? value.slice(0, 57) + "..." : value);
  }
  if (value instanceof Date) {
    return `Date(${Number.isNaN(value.getTime()) ? "invalid" : value.toISOString()})`;
  }
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (typeof value === "object") return `an object`;
  return String(value);
}

function daysFromCivil(year: number, month: number, day: number): number | undefined {
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) {
    return undefined;
  }
  return Math.round(date.getTime() / MS_PER_DAY);
}

function offsetMicros(zone: string | undefined): bigint {
  if (!zone || zone.toUpperCase() === "Z") return 0n;
  const digits = zone.slice(1).replaceAll(":", "");
  const seconds = Number(digits.slice(0, 2)) * 3600 + Number(digits.slice(2, 4) || 0) * 60 +
    Number(digits.slice(4, 6) || 0);
  return BigInt(zone[0] === "-" ? -seconds : seconds) * 1_000_000n;
}

function numberToPlainString(value: number): string {
  const text = String(value);
  if (!/e/i.test(text)) return text;
  // Exponent form: expand exactly from the shortest round-trip digits.
  const [mantissa, exponentText] = text.toLowerCase().split("e");
  const exponent = Number(exponentText);
  const negative = mantissa.startsWith("-");
  const [whole, fraction = ""] = mantissa.replace("-", "").split(".");
  const digits = whole + fraction;
  const point = whole.length + exponent;
  const plain = point <= 0
    ? "0." + "0".repeat(-point) + digits
    : point >= digits.length
    ? digits + "0".repeat(point - digits.length)
    : digits.slice(0, point) + "." + digits.slice(point);
  return (negative ? "-" : "") + plain;
}

/**
 * Days since 1970-01-01 of a canonical `YYYY-MM-DD` at `text[at…]`, or undefined when it is not one (the
 * caller then takes the exact path). Written for the encoder's hot loop: no regex, no `Date`.
 */
export function canonicalDays(text: string, at = 0): number | undefined {
  const y = digits(text, at, 4), m = digits(text, at + 5, 2), d = digits(text, at + 8, 2);
  if (y < 0 || m < 1 || m > 12 || d < 1 || text.charCodeAt(at + 4) !== 45 || text.charCodeAt(at + 7) !== 45) {
    return undefined;
  }
  const leap = y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);
  if (d > (m === 2 ? (leap ? 29 : 28) : MONTH_DAYS[m])) return undefined;
  // Days from civil (proleptic Gregorian), with March as the first month of the year.
  const year = m <= 2 ? y - 1 : y;
  const era = Math.floor(year / 400), yoe = year - era * 400;
  const doy = Math.floor((153 * (m > 2 ? m - 3 : m + 9) + 2) / 5) + d - 1;
  return era * 146097 + yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy - 719468;
}

const MONTH_DAYS = [0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * Microseconds since the epoch of a canonical timestamp (`YYYY-MM-DDTHH:MM:SS.` then `fractionDigits`
 * digits, then `Z` when `withZone`), or undefined when the text is not exactly that or out of the range
 * a double holds exactly.
 */
export function canonicalMicros(text: string, withZone: boolean, fractionDigits: number): number | undefined {
  if (text.length !== 20 + fractionDigits + (withZone ? 1 : 0)) return undefined;
  const days = canonicalDays(text, 0);
  const h = digits(text, 11, 2), mi = digits(text, 14, 2), s = digits(text, 17, 2);
  const fraction = digits(text, 20, fractionDigits);
  if (
    days === undefined || h < 0 || h > 23 || mi < 0 || mi > 59 || s < 0 || s > 59 || fraction < 0 ||
    text.charCodeAt(10) !== 84 || text.charCodeAt(13) !== 58 || text.charCodeAt(16) !== 58 ||
    text.charCodeAt(19) !== 46 || (withZone && text.charCodeAt(text.length - 1) !== 90)
  ) return undefined;
  const micros = ((days * 86400 + h * 3600 + mi * 60 + s) * 1_000_000) +
    fraction * (fractionDigits === 3 ? 1000 : 1);
  return Number.isSafeInteger(micros) ? micros : undefined;
}

/**
 * The canonical text of the common timestamp forms (`YYYY-MM-DD[T ]HH:MM:SS[.f…]`, then nothing, `Z`,
 * `+00`, `+00:00` or, for a column with time zone only, any of those zones) made with string operations
 * only, or undefined for anything else (other offsets, more than six fraction digits, other years),
 * which the exact path then takes. The output is what `formatTimestamp(parseTimestamp(text))` gives.
 */
export function quickTimestamp(text: string, withZone: boolean, fractionDigits: number): string | undefined {
  if (text.length < 19 || canonicalDays(text, 0) === undefined) return undefined;
  const separator = text.charCodeAt(10);
  const h = digits(text, 11, 2), mi = digits(text, 14, 2), s = digits(text, 17, 2);
  if (
    (separator !== 84 && separator !== 32) || h < 0 || h > 23 || mi < 0 || mi > 59 || s < 0 || s > 59 ||
    text.charCodeAt(13) !== 58 || text.charCodeAt(16) !== 58
  ) return undefined;
  let at = 19, fraction = "";
  if (text.charCodeAt(at) === 46) {
    let end = at + 1;
    while (end < text.length && end - at <= 7 && text.charCodeAt(end) >= 48 && text.charCodeAt(end) <= 57) {
      end++;
    }
    if (end === at + 1 || end - at > 7) return undefined;
    fraction = text.slice(at + 1, end);
    at = end;
  }
  const zone = text.slice(at);
  if (zone !== "" && zone !== "Z" && (!withZone || (zone !== "+00" && zone !== "+00:00"))) return undefined;
  const kept = fractionDigits ? "." + (fraction + "000000").slice(0, fractionDigits) : "";
  return `${text.slice(0, 10)}T${text.slice(11, 19)}${kept}${withZone ? "Z" : ""}`;
}

/** The decimal number of `count` digits at `text[at…]`, or -1 when one is not a digit. */
function digits(text: string, at: number, count: number): number {
  let value = 0;
  for (let i = at; i < at + count; i++) {
    const c = text.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return -1;
    value = value * 10 + c;
  }
  return value;
}
