// This module is browser compatible.

/**
 * The `timetz` kind: Parquet TIME(MICROS, isAdjustedToUTC=true), the offset applied; rows carry UTC text
 * ending in `Z`. Everything but the zone is the `time` kind's.
 *
 * @module
 */

import type { Column, ScalarKind } from "./kind.ts";
import { timeColumn, timeKindOf } from "./time.ts";

/**
 * A `time with time zone` column: stored as Parquet TIME(MICROS, isAdjustedToUTC=true), the value's
 * offset applied (a time of day in UTC: `01:00+02` is `23:00Z`). Rows carry `HH:MM:SS.ffffffZ`.
 *
 * @example
 * ```ts
 * import { timetz } from "@parquet-storage/engine";
 * import * as v from "valibot";
 * console.assert(v.parse(timetz().schema, "01:00:00+02") === "23:00:00.000000Z");
 * ```
 */
export function timetz(): Column<string> {
  return timeColumn(true);
}

/** The `timetz` kind. */
export const timetzKind: ScalarKind = timeKindOf(true);
