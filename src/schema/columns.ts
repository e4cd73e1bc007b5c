// This module is browser compatible.

/**
 * The column vocabulary: tiny functions (`uuid()`, `numeric(10, 2)`, `timestamptz()`, …) each returning
 * a column that knows its Valibot schema, its Parquet storage and its PostgreSQL type, so that one table
 * definition yields all three. Each kind lives in its own module under `kinds/`; this one gathers them.
 *
 * @module
 */

export type { Column, ColumnKind, ColumnSpec } from "./kinds/kind.ts";
export { columnFromSpec } from "./kinds/registry.ts";
export { uuid } from "./kinds/uuid.ts";
export { text } from "./kinds/text.ts";
export { smallint } from "./kinds/smallint.ts";
export { int } from "./kinds/int.ts";
export { bigint } from "./kinds/bigint.ts";
export { float } from "./kinds/float.ts";
export { real } from "./kinds/real.ts";
export { numeric } from "./kinds/numeric.ts";
export { boolean } from "./kinds/boolean.ts";
export { date } from "./kinds/date.ts";
export { timestamp, type TimestampOptions } from "./kinds/timestamp.ts";
export { timestamptz } from "./kinds/timestamptz.ts";
export { jsonb, type JsonValue } from "./kinds/jsonb.ts";
export { geographyPoint, type GeoPoint } from "./kinds/point.ts";
export { array } from "./kinds/array.ts";
export { enumOf } from "./kinds/enum.ts";
export { bytea } from "./kinds/bytea.ts";
export { geometry, type GeometryOptions } from "./kinds/geometry.ts";
export { time } from "./kinds/time.ts";
export { timetz } from "./kinds/timetz.ts";
export { interval } from "./kinds/interval.ts";

import type { Column } from "./kinds/kind.ts";

/** The value a column gives a validated row: `T`, or `T | null` for a nullable column. */
export type ColumnValue<C> = C extends Column<infer T> ? T : never;
