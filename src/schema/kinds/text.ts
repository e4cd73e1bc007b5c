// This module is browser compatible.

/**
 * The `text` kind (also `varchar`): a UTF-8 string.
 *
 * @module
 */

import * as v from "valibot";
import { utf8 } from "./plain_bytes.ts";
import {
  type Column,
  column,
  REFUSED,
  same,
  type ScalarKind,
  scalarKind,
  textSize,
  withCheck,
  wrongType,
} from "./kind.ts";

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
    withCheck(
      v.pipe(v.string(), v.check((value) => value.isWellFormed(), (issue) => loneSurrogate(issue.input))),
      (value) => typeof value === "string" && value.isWellFormed() ? value : REFUSED,
    ),
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

/**
 * `::text`, so a type mapped to text (xml, a range, …) arrives as its canonical text, the one its output
 * function gives; character(n) and inet through their output functions, as `::text` would drop the
 * padding PostgreSQL stores, or add a netmask (`1.2.3.4/32`) that `1.2.3.4` does not show.
 */
function asText(col: string, pgType: string | undefined): string {
  if (pgType?.startsWith("character")) return `textin(bpcharout(${col}))`;
  return pgType === "inet" ? `textin(inet_out(${col}))` : `${col}::text`;
}

/** The `text` kind. */
export const textKind: ScalarKind = scalarKind({
  fromSpec: text,
  physical: () => ({ type: "BYTE_ARRAY", converted_type: "UTF8", logical_type: { type: "STRING" } }),
  toParquet: () => same,
  // Checked here too, for rows written without validation: UTF-8 would store U+FFFD instead.
  row: (_spec, _element, sink) => (value) => {
    if (typeof value !== "string") throw wrongType("a string", value);
    if (!value.isWellFormed()) throw new Error(loneSurrogate(value));
    utf8(sink, value);
  },
  readExpression: (col, _spec, pgType) => asText(col, pgType),
  copy: {
    select: (col, _spec, pgType) => asText(col, pgType),
    field: (_spec, _element, sink) => (b, at, n) => sink.addBytes(b, at, n),
  },
  size: () => textSize,
});
