// This module is browser compatible.

/**
 * The `numeric` kind: `numeric(p,s)` as Parquet DECIMAL (INT32, INT64 or FIXED_LEN_BYTE_ARRAY by
 * precision), exactly; an unconstrained `numeric` as exact text. Rows carry decimal text.
 *
 * @module
 */

import type { SchemaElement } from "hyparquet";
import { SchemaError } from "../../errors.ts";
import {
  canonical,
  type Column,
  column,
  type FieldWriter,
  type Refuse,
  type RowWriter,
  same,
  type ScalarKind,
  scalarKind,
  SPECIAL_VALUES_HINT,
  textSize,
  type ValueSink,
  wrongType,
} from "./kind.ts";
import { bigInt64, int32, safeInt64, utf8 } from "./plain_bytes.ts";
import { describe, formatDecimal, normalizeDecimalText, parseDecimal } from "../values.ts";

/**
 * A `numeric(precision, scale)` column: stored as Parquet DECIMAL, exactly (never through a float).
 * Rows carry decimal text with exactly `scale` fraction digits, as PostgreSQL prints it; strings,
 * numbers and bigints are accepted, and a value needing more digits is refused, not rounded. Without
 * arguments: an unconstrained `numeric`, stored as exact text.
 *
 * @example
 * ```ts
 * import { numeric } from "@parquet-storage/engine";
 * import * as v from "valibot";
 * console.assert(v.parse(numeric(8, 2).schema, 12.5) === "12.50");
 * ```
 */
export function numeric(precision?: number, scale = 0): Column<string> {
  if (precision === undefined) {
    return column(
      { kind: "numeric", nullable: false },
      "numeric",
      canonical("numeric", (value) => {
        const text = typeof value === "string" || typeof value === "number" || typeof value === "bigint"
          ? normalizeDecimalText(value)
          : undefined;
        return text ?? { reason: `expected a decimal number, received ${describe(value)}` };
      }),
    );
  }
  if (!Number.isInteger(precision) || precision < 1 || precision > 38) {
    throw new SchemaError(`Cannot declare numeric as precision must be 1..38: current value is ${precision}`);
  }
  if (!Number.isInteger(scale) || scale < 0 || scale > precision) {
    throw new SchemaError(
      `Cannot declare numeric(${precision}) as scale must be 0..${precision}: current value is ${scale}`,
    );
  }
  return column(
    { kind: "numeric", nullable: false, precision, scale },
    `numeric(${precision},${scale})`,
    canonical(`numeric(${precision},${scale})`, (value) => {
      if (typeof value === "string" && isCanonicalDecimal(value, precision, scale)) return value;
      if (typeof value !== "string" && typeof value !== "number" && typeof value !== "bigint") {
        return { reason: `expected a decimal number, received ${describe(value)}` };
      }
      const unscaled = parseDecimal(value, precision, scale);
      return typeof unscaled === "string" ? { reason: unscaled } : formatDecimal(unscaled, scale);
    }),
  );
}

/** The fewest bytes whose two's complement holds every `precision`-digit integer. */
function decimalBytes(precision: number): number {
  return Math.ceil((Math.log2(10) * precision + 1) / 8);
}

/** The `numeric` kind. */
export const numericKind: ScalarKind = scalarKind({
  fromSpec: (spec) => numeric(spec.precision, spec.scale),
  physical(spec): Omit<SchemaElement, "name" | "repetition_type"> {
    if (spec.precision === undefined) {
      return { type: "BYTE_ARRAY", converted_type: "UTF8", logical_type: { type: "STRING" } };
    }
    const { precision, scale = 0 } = spec;
    const decimal = {
      converted_type: "DECIMAL" as const,
      precision,
      scale,
      logical_type: { type: "DECIMAL" as const, precision, scale },
    };
    if (precision <= 9) return { type: "INT32", ...decimal };
    if (precision <= 18) return { type: "INT64", ...decimal };
    return { type: "FIXED_LEN_BYTE_ARRAY", type_length: decimalBytes(precision), ...decimal };
  },
  // Canonical decimal text has exactly `scale` fraction digits, so dropping the point gives the
  // unscaled integer exactly.
  toParquet: (spec) =>
    spec.precision === undefined ? same : (value) => BigInt((value as string).replace(".", "")),
  // Exact digits, `scale` fraction digits.
  // Money (an int64 of cents) through numeric: its own text is its locale's (`-$1,234.56`).
  readExpression: (col, _spec, pgType) => pgType === "money" ? `${col}::numeric::text` : `${col}::text`,
  fromPostgres(spec) {
    // An unconstrained numeric keeps PostgreSQL's display scale: trailing zeros are dropped here.
    if (spec.precision !== undefined) return undefined;
    return (value) => {
      const text = normalizeDecimalText(value as string);
      if (text === undefined) throw new Error(`${JSON.stringify(value)} is not a finite decimal`);
      return text;
    };
  },
  readArrayAsText: true,
  row(spec, element, sink) {
    if (spec.precision === undefined) {
      return (value) => {
        const text = typeof value === "string" || typeof value === "number" || typeof value === "bigint"
          ? normalizeDecimalText(value)
          : undefined;
        if (text === undefined) throw wrongType("a decimal number", value);
        utf8(sink, text);
      };
    }
    return decimalRow(element, spec.precision, spec.scale ?? 0, sink);
  },
  copy: {
    // An unconstrained numeric has no fixed scale: its text without trailing zeros, as the row path has it.
    select: (col, spec, pgType) =>
      spec.precision === undefined
        ? `trim_scale(${col}::numeric)::text`
        : `${col}::${pgType === "money" ? `numeric(${spec.precision},${spec.scale ?? 0})` : pgType}`,
    field(spec, element, sink, refuse) {
      if (spec.precision !== undefined) return numericField(element, spec.scale ?? 0, sink, refuse);
      return (b, at, n) => {
        // Text: 'NaN', 'Infinity' or '-Infinity' are the only values not starting with a digit or '-0-9'.
        if (b[at] === 0x4e || b[at] === 0x49 || b[at + 1] === 0x49) {
          refuse(`NaN and infinite numerics have no Parquet value; ${SPECIAL_VALUES_HINT}`);
        }
        sink.addBytes(b, at, n);
      };
    },
  },
  size: () => textSize,
});

/**
 * A binary numeric(p,s) as Parquet's DECIMAL: the unscaled integer as INT32 (p ≤ 9), INT64 (p ≤ 18) or
 * big-endian two's complement bytes. PostgreSQL's cast to numeric(p,s) left no digit beyond the scale,
 * so the scaling below is exact.
 */
function numericField(element: SchemaElement, scale: number, sink: ValueSink, refuse: Refuse): FieldWriter {
  const type = element.type;
  return (b, at) => {
    const ndigits = b[at] << 8 | b[at + 1];
    const weight = (b[at + 2] << 8 | b[at + 3]) << 16 >> 16;
    const sign = b[at + 4] << 8 | b[at + 5];
    if (sign !== 0 && sign !== 0x4000) {
      refuse(`NaN and infinite numerics have no Parquet value; ${SPECIAL_VALUES_HINT}`);
    }
    // The digits are base 10000, the first of weight `weight`.
    const exponent = 4 * (ndigits - 1 - weight); // decimal exponent of the last digit group
    if (type === "INT32" || (type === "INT64" && ndigits <= 3 && scale - exponent <= 3)) {
      let acc = 0;
      for (let i = 0; i < ndigits; i++) acc = acc * 10000 + (b[at + 8 + 2 * i] << 8 | b[at + 9 + 2 * i]);
      const unscaled = exponent <= scale ? acc * 10 ** (scale - exponent) : acc / 10 ** (exponent - scale);
      const signed = sign ? -unscaled : unscaled;
      return type === "INT32" ? int32(sink, signed) : safeInt64(sink, signed);
    }
    let acc = 0n;
    for (let i = 0; i < ndigits; i++) acc = acc * 10000n + BigInt(b[at + 8 + 2 * i] << 8 | b[at + 9 + 2 * i]);
    let unscaled = exponent <= scale
      ? acc * 10n ** BigInt(scale - exponent)
      : acc / 10n ** BigInt(exponent - scale);
    if (sign) unscaled = -unscaled;
    if (type === "INT64") return bigInt64(sink, unscaled);
    const width = element.type_length!;
    const d = sink.reserve(width), o = sink.length;
    for (let i = width - 1; i >= 0; i--) {
      d[o + i] = Number(BigInt.asUintN(8, unscaled));
      unscaled >>= 8n;
    }
    sink.commit();
  };
}

/**
 * A numeric(p,s) row value into its DECIMAL column: canonical text (exactly `scale` fraction digits) by
 * its digits, anything else through `parseDecimal`, which refuses what does not fit.
 */
function decimalRow(element: SchemaElement, precision: number, scale: number, sink: ValueSink): RowWriter {
  const type = element.type, width = element.type_length ?? 0;
  const store = (unscaled: bigint) => {
    if (type === "INT32") return int32(sink, Number(unscaled));
    if (type === "INT64") return bigInt64(sink, unscaled);
    const d = sink.reserve(width), o = sink.length;
    for (let i = width - 1; i >= 0; i--) {
      d[o + i] = Number(BigInt.asUintN(8, unscaled));
      unscaled >>= 8n;
    }
    sink.commit();
  };
  return (value) => {
    if (typeof value === "string") {
      const digits = canonicalDigits(value, precision, scale);
      if (digits !== undefined) {
        if (type === "INT32" || (type === "INT64" && digits.length <= 15)) {
          const n = Number(digits);
          return type === "INT32" ? int32(sink, n) : safeInt64(sink, n);
        }
        return store(BigInt(digits));
      }
    }
    if (typeof value !== "string" && typeof value !== "number" && typeof value !== "bigint") {
      throw wrongType("a decimal number", value);
    }
    const unscaled = parseDecimal(value, precision, scale);
    if (typeof unscaled === "string") throw new Error(unscaled);
    store(unscaled);
  };
}

/** Whether `text` is what `formatDecimal` prints for numeric(p,s): no leading zero, no "-0". */
function isCanonicalDecimal(text: string, precision: number, scale: number): boolean {
  const digits = canonicalDigits(text, precision, scale);
  if (digits === undefined) return false;
  const negative = text.charCodeAt(0) === 45 ? 1 : 0;
  const integer = text.length - negative - (scale ? scale + 1 : 0);
  if (integer > 1 && text.charCodeAt(negative) === 48) return false;
  return !negative || /[1-9]/.test(digits);
}

/**
 * The unscaled digits (with their sign) of canonical decimal text that fits numeric(p,s): an optional
 * `-`, at most p − s integer digits (or a lone 0), then `.` and exactly `scale` digits when scale > 0.
 */
function canonicalDigits(text: string, precision: number, scale: number): string | undefined {
  const negative = text.charCodeAt(0) === 45 ? 1 : 0;
  const point = scale ? text.length - scale - 1 : text.length;
  const integer = point - negative;
  if (integer < 1 || (integer > precision - scale && !(integer === 1 && text.charCodeAt(negative) === 48))) {
    return undefined;
  }
  if (scale && text.charCodeAt(point) !== 46) return undefined;
  for (let i = negative; i < text.length; i++) {
    if (i === point) continue;
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57) return undefined;
  }
  return scale ? text.slice(0, point) + text.slice(point + 1) : text;
}
