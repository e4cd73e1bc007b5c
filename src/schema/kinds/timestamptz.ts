// This module is browser compatible.

/**
 * The `timestamptz` kind: Parquet TIMESTAMP(isAdjustedToUTC=true); rows carry UTC text ending in `Z`.
 * Everything but the zone is the `timestamp` kind's.
 *
 * @module
 */

import type { Column, ScalarKind } from "./kind.ts";
import { timestampColumn, timestampKindOf, type TimestampOptions } from "./timestamp.ts";

/**
 * A `timestamp with time zone` column: stored as Parquet TIMESTAMP(isAdjustedToUTC=true), microseconds by
 * default. Rows carry UTC text `YYYY-MM-DDTHH:MM:SS.ffffffZ`; offsets in the input are applied.
 *
 * @example
 * ```ts
 * import { timestamptz } from "@parquet-storage/engine";
 * import * as v from "valibot";
 * const value = v.parse(timestamptz().schema, "2026-11-25 06:05:06.5+02");
 * console.assert(value === "2026-11-25T04:05:06.500000Z");
 * ```
 */
export function timestamptz(options: TimestampOptions = {}): Column<string> {
  return timestampColumn(true, options);
}

/** The `timestamptz` kind. */
export const timestamptzKind: ScalarKind = timestampKindOf(true);
