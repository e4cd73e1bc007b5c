// This module is browser compatible.

/**
 * The `point` kind (`geography(Point,4326)`): two DOUBLE columns, latitude and longitude; rows carry
 * `{ latitude, longitude }`.
 *
 * @module
 */

import { canonical, type Column, column, type Kind, type TableColumns } from "./kind.ts";
import { describe } from "../values.ts";

/** A geographic point, as rows carry it (WGS 84 degrees). */
export interface GeoPoint {
  /** Degrees north, -90..90. */
  latitude: number;
  /** Degrees east, -180..180. */
  longitude: number;
}

/**
 * A `geography(Point,4326)` column: stored as two DOUBLE columns, `<name>_latitude` and `<name>_longitude`
 * (or `latitude`/`longitude` when it is the table's only point). Rows carry `{ latitude, longitude }`;
 * GeoJSON points are accepted.
 *
 * @example
 * ```ts
 * import { geographyPoint } from "@parquet-storage/engine";
 * import * as v from "valibot";
 * const point = v.parse(geographyPoint().schema, { type: "Point", coordinates: [-1.5, 53.8] });
 * console.assert(point.latitude === 53.8 && point.longitude === -1.5);
 * ```
 */
export function geographyPoint(): Column<GeoPoint> {
  return column(
    { kind: "point", nullable: false },
    "geography(Point,4326)",
    canonical("point", (value) => {
      const point = toPoint(value);
      if (!point) {
        return { reason: `expected { latitude, longitude } or a GeoJSON Point, received ${describe(value)}` };
      }
      if (!(Math.abs(point.latitude) <= 90) || !(Math.abs(point.longitude) <= 180)) {
        return { reason: `latitude ${point.latitude}, longitude ${point.longitude} is not on Earth` };
      }
      return point;
    }),
  );
}

function toPoint(value: unknown): GeoPoint | undefined {
  if (typeof value !== "object" || value === null) return undefined;
  const record = value as Record<string, unknown>;
  if (record.type === "Point" && Array.isArray(record.coordinates)) {
    const [longitude, latitude] = record.coordinates;
    return typeof latitude === "number" && typeof longitude === "number"
      ? { latitude, longitude }
      : undefined;
  }
  const { latitude, longitude } = record;
  return typeof latitude === "number" && typeof longitude === "number" ? { latitude, longitude } : undefined;
}

/** The Parquet column names of a point column: `latitude`/`longitude` when it is the only point. */
export function pointColumnNames(table: TableColumns, column: string): [string, string] {
  const points = Object.values(table.columns).filter((c) => c.spec.kind === "point").length;
  const clash = "latitude" in table.columns || "longitude" in table.columns;
  return points === 1 && !clash ? ["latitude", "longitude"] : [`${column}_latitude`, `${column}_longitude`];
}

/** The `point` kind. */
export const pointKind: Kind = {
  fromSpec: geographyPoint,
  parquet(name, spec, table) {
    const [lat, lon] = pointColumnNames(table, name);
    const repetition_type = spec.nullable ? "OPTIONAL" : "REQUIRED";
    return {
      elements: [{ name: lat, type: "DOUBLE", repetition_type }, {
        name: lon,
        type: "DOUBLE",
        repetition_type,
      }],
      columns: [
        { name: lat, source: name, toParquet: (p) => (p as GeoPoint | null)?.latitude ?? null },
        { name: lon, source: name, toParquet: (p) => (p as GeoPoint | null)?.longitude ?? null },
      ],
    };
  },
  readExpression(col, _spec, pgType) {
    if (pgType === "point") {
      // PostgreSQL's native point, as the embedded database (no PostGIS) stores locations: x is longitude.
      return `CASE WHEN ${col} IS NULL THEN NULL ELSE json_build_object('latitude', (${col})[1], 'longitude', (${col})[0]) END`;
    }
    const geometry = `ST_Transform(${col}::geometry, 4326)`;
    return `CASE WHEN ${col} IS NULL THEN NULL ELSE json_build_object('latitude', ST_Y(${geometry}), ` +
      `'longitude', ST_X(${geometry})) END`;
  },
  size: () => () => 16,
};
