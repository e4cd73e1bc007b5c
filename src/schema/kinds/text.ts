// This module is browser compatible.

/**
 * The `text` kind (also `varchar`): a UTF-8 string.
 *
 * @module
 */

import * as v from "valibot";
import { type Column, column, type ScalarKind, scalarKind, textSize } from "./kind.ts";

/**
 * A `text` column (also `varchar`): stored as a UTF-8 string.
 *
 * @example
 * ```ts
 * import { text } from "@parquet-storage/engine";
 * console.assert(text().nullable().spec.nullable === true);
 * ```
 */
export function text(): Column<string> {
  return column(
    { kind: "text", nullable: false },
    "text",
    v.pipe(v.string(), v.check((value) => value.isWellFormed(), (issue) => loneSurrogate(issue.input))),
  );
}

/**
 * Why a string with a lone UTF-16 surrogate is refused: UTF-8 cannot encode one (it would be stored as
 * U+FFFD, a silent change) and PostgreSQL can never hold one, so such a string is not text.
 */
export function loneSurrogate(value: string): string {
  let at = 0;
  for (; at < value.length; at++) {
    const unit = value.charCodeAt(at);
    if (unit >= 0xd800 && unit <= 0xdbff && at + 1 < value.length) {
      const next = value.charCodeAt(at + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        at++;
        continue;
      }
    }
    if (unit >= 0xd800 && unit <= 0xdfff) break;
  }
  const unit = value.charCodeAt(at).toString(16).toUpperCase();
  return `a lone UTF-16 surrogate (\\u${unit}) at index ${at} is not valid Unicode: UTF-8 cannot store it ` +
    "and PostgreSQL cannot hold it";
}

/** The `text` kind. */
export const textKind: ScalarKind = scalarKind({
  fromSpec: text,
  physical: () => ({ type: "BYTE_ARRAY", converted_type: "UTF8", logical_type: { type: "STRING" } }),
  // Checked here too, for rows written without validation: the encoder would store U+FFFD instead.
  toParquet: () => (value) => {
    if (typeof value === "string" && !value.isWellFormed()) throw new Error(loneSurrogate(value));
    return value;
  },
  // `::text`, so a type mapped with `unmappedAsText` (interval, bytea, …) arrives as its text.
  readExpression: (col) => `${col}::text`,
  copy: { field: (_spec, _element, sink) => (b, at, n) => sink.addBytes(b, at, n) },
  size: () => textSize,
});
