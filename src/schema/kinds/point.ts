import { float64 } from "./plain_bytes.ts";
// This module is browser compatible.

/**
 * The `point` kind (`geography(Point,4326)`): two DOUBLE columns, latitude and longitude; rows carry
 * `{ latitude, longitude }`.
 *
 * @module
 */

import {
  canonical,
  type Canonicalise,
  type Column,
  column,
  type Kind,
  orThrow,
  type TableColumns,
} from "./kind.ts";
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
 * (whatever the number of point columns in the table). Rows carry `{ latitude, longitude }`; GeoJSON points
 * are accepted.
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
    canonical("point", canonicalPoint),
  );
}

const canonicalPoint: Canonicalise<GeoPoint> = (value) => {
  const point = toPoint(value);
  if (!point) {
    return { reason: `expected { latitude, longitude } or a GeoJSON Point, received ${describe(value)}` };
  }
  if (!(Math.abs(point.latitude) <= 90) || !(Math.abs(point.longitude) <= 180)) {
    return { reason: `latitude ${point.latitude}, longitude ${point.longitude} is not on Earth` };
  }
  return point;
};

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

/**
 * The Parquet column names of a point column: always `<column>_latitude`, `<column>_longitude`, so they do not
 * change with the number of point columns. `present` (a file's top-level column names) reads a file written
 * before the names were stable, which stored a table's only point as `latitude`/`longitude`.
 */
export function pointColumnNames(
  table: TableColumns,
  column: string,
  present?: readonly string[],
): [string, string] {
  const stable: [string, string] = [`${column}_latitude`, `${column}_longitude`];
  if (!present || present.includes(stable[0])) return stable;
  const points = Object.values(table.columns).filter((c) => c.spec.kind === "point").length;
  return points === 1 && present.includes("latitude") && present.includes("longitude")
    ? ["latitude", "longitude"]
    : stable;
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
  rows(_spec, _leaves, [latitudes, longitudes]) {
    const exact = orThrow(canonicalPoint);
    return (value) => {
      const point = value as GeoPoint;
      const canonical = typeof value === "object" && value !== null && typeof point.latitude === "number" &&
          typeof point.longitude === "number" && Math.abs(point.latitude) <= 90 &&
          Math.abs(point.longitude) <= 180
        ? point
        : exact(value);
      float64(latitudes, canonical.latitude);
      float64(longitudes, canonical.longitude);
    };
  },
  size: () => () => 16,
  copy: {
    // PostgreSQL's point is two float8s (x is longitude); a PostGIS column declared in WGS 84 as it is
    // (its binary form is EWKB: no function per row on the server, which otherwise spends more on
    // ST_AsBinary and ST_Transform than on the rest of the COPY); any other as ISO WKB in WGS 84.
    select: (col, _spec, pgType) =>
      pgType === "point"
        ? `${col}::point`
        : WGS84_POINT.test(pgType)
        ? col
        : `ST_AsBinary(ST_Transform(${col}::geometry, 4326))`,
    fields: (_spec, _leaves, [latitudes, longitudes], refuse) => (b, at, n) => {
      let x: number, y: number;
      if (n === 16) [x, y] = [float64BE(b, at), float64BE(b, at + 8)];
      else {
        const little = b[at] === 1;
        const type = wkbUint32(b, at + 1, little);
        // ISO codes (1001 with Z, 2001 with M, 3001 with both) or EWKB flags in the high bits.
        if (n < 21 || (type & 0xffff) % 1000 !== 1) refuse("expected a point, received another geometry");
        const skip = type & 0x20000000 ? 4 : 0; // an EWKB SRID
        x = float64At(b, at + 5 + skip, little);
        y = float64At(b, at + 13 + skip, little);
      }
      if (!(Math.abs(y) <= 90) || !(Math.abs(x) <= 180)) {
        refuse(
          x !== x && y !== y
            ? "an empty point has no latitude and longitude"
            : `latitude ${y}, longitude ${x} is not on Earth`,
        );
      }
      float64(latitudes, y);
      float64(longitudes, x);
    },
  },
};

/** A PostGIS point type whose values are all in WGS 84 (SRID 4326), such as `geography(Point,4326)`. */
const WGS84_POINT = /^(?:[^(]*\.)?(?:geography|geometry)\(\s*point[zm]*\s*,\s*4326\s*\)$/i;

const view = new DataView(new ArrayBuffer(8));

function float64At(b: Uint8Array, at: number, little: boolean): number {
  for (let i = 0; i < 8; i++) view.setUint8(i, b[at + i]);
  return view.getFloat64(0, little);
}

function float64BE(b: Uint8Array, at: number): number {
  return float64At(b, at, false);
}

function wkbUint32(b: Uint8Array, at: number, little: boolean): number {
  for (let i = 0; i < 4; i++) view.setUint8(i, b[at + i]);
  return view.getUint32(0, little);
}
