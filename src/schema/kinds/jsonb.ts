// This module is browser compatible.

/**
 * The `jsonb` kind (also `json`): Parquet JSON (UTF-8 text); rows carry the parsed value.
 *
 * @module
 */

import { canonical, type Column, column, same, type ScalarKind, scalarKind, type ValueSink } from "./kind.ts";
import { describe } from "../values.ts";

/** A JSON value, as a `jsonb` column carries it. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/**
 * A `jsonb` (or `json`) column: stored as Parquet JSON; rows carry the parsed value.
 *
 * @example
 * ```ts
 * import { jsonb } from "@parquet-storage/engine";
 * console.assert(jsonb().pgType === "jsonb");
 * ```
 */
export function jsonb(): Column<JsonValue> {
  return column(
    { kind: "jsonb", nullable: false },
    "jsonb",
    canonical("jsonb", (value) => {
      try {
        if (value === undefined || typeof value === "function" || typeof value === "symbol") {
          throw new Error();
        }
        JSON.stringify(value);
        return value as JsonValue;
      } catch {
        return { reason: `expected a JSON value, received ${describe(value)}` };
      }
    }),
  );
}

/** The `jsonb` kind. */
export const jsonbKind: ScalarKind = scalarKind({
  fromSpec: jsonb,
  physical: () => ({ type: "BYTE_ARRAY", converted_type: "JSON", logical_type: { type: "JSON" } }),
  toParquet: () => same,
  copy: {
    // A version byte, then jsonb's text; the spaces after ':' and ',' are dropped to store what
    // JSON.stringify would (the row path's bytes).
    field: (_spec, _element, sink) => (b, at, n) => sink.commitBytes(compactJson(sink, b, at + 1, n - 1)),
  },
  size: () => (value) => value == null ? 8 : jsonSize(value),
});

function jsonSize(value: unknown): number {
  try {
    return (JSON.stringify(value)?.length ?? 0) + 16;
  } catch {
    return 64; // not JSON: the writer reports it, with the table
  }
}

/** JSON text without the spaces outside strings, written at `reserve()[length + 4…]`; returns its length. */
function compactJson(sink: ValueSink, json: Uint8Array, at: number, length: number): number {
  const out = sink.reserve(4 + length), start = sink.length + 4, end = at + length;
  let n = start, inString = false;
  for (let i = at; i < end; i++) {
    const c = json[i];
    if (inString) {
      out[n++] = c;
      if (c === 0x5c) out[n++] = json[++i]; // backslash: copy the escaped byte as is
      else if (c === 0x22) inString = false;
    } else if (c !== 0x20) {
      out[n++] = c;
      if (c === 0x22) inString = true;
    }
  }
  return n - start;
}
