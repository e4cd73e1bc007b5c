// This module is browser compatible.

/**
 * The `geometry` kind (PostGIS geometry and geography of any shape and SRID): ISO WKB in a BYTE_ARRAY
 * column, described by the file's GeoParquet 1.1 `geo` metadata (types, bounding box and CRS of the
 * values written, gathered by the writers below into the file's {@link FileFacts}). Rows carry the WKB
 * as a `Uint8Array`. A point column can instead be split into latitude and longitude: `geographyPoint()`.
 *
 * @module
 */

import {
  canonical,
  type Canonicalise,
  type Column,
  column,
  type ColumnSpec,
  type FileFacts,
  type ScalarKind,
  scalarKind,
} from "./kind.ts";
import { describe } from "../values.ts";
import { GeometryBounds, scanWkb } from "../wkb.ts";

/** Options of {@link geometry}. */
export interface GeometryOptions {
  /** The spatial reference system's id (4326, 3857, …); absent or 0 when unknown. */
  srid?: number;
  /** A PostGIS geography (great-circle edges, SRID 4326 unless given). Default `false`. */
  geography?: boolean;
}

const canonicalWkb: Canonicalise<Uint8Array> = (value) => {
  if (!(value instanceof Uint8Array)) {
    return { reason: `expected WKB in a Uint8Array, received ${describe(value)}` };
  }
  const why = scanWkb(value, 0, value.length);
  if (why) return { reason: `not a WKB geometry: ${why}` };
  return value.constructor === Uint8Array
    ? value
    : new Uint8Array(value.buffer, value.byteOffset, value.length);
};

/**
 * A PostGIS `geometry` or `geography` column of any shape: stored as ISO WKB (BYTE_ARRAY) with
 * GeoParquet 1.1 metadata (`geo`: encoding, geometry types, bounding box, CRS as PROJJSON). Rows carry
 * the WKB as a `Uint8Array`, as PostGIS's `ST_AsBinary` gives it.
 *
 * @example
 * ```ts
 * import { geometry } from "@parquet-storage/engine";
 * import * as v from "valibot";
 * const point = new Uint8Array([1, 1, 0, 0, 0, ...new Uint8Array(new Float64Array([-1.5, 53.8]).buffer)]);
 * console.assert(v.parse(geometry({ srid: 4326 }).schema, point).length === 21);
 * ```
 */
export function geometry(options: GeometryOptions = {}): Column<Uint8Array> {
  const geography = options.geography === true;
  // A geography always has an SRID: PostGIS gives an undeclared one 4326.
  const srid = options.srid || (geography ? 4326 : 0);
  const spec: ColumnSpec = { kind: "geometry", nullable: false, ...(srid ? { srid } : {}) };
  if (geography) spec.geography = true;
  const pgType = `${geography ? "geography" : "geometry"}${srid ? `(Geometry,${srid})` : ""}`;
  return column(spec, pgType, canonical("geometry", canonicalWkb));
}

/** The bounds a geometry column's writer adds to, registered in the file's facts under its name. */
function boundsOf(spec: ColumnSpec, name: string, facts: FileFacts | undefined): GeometryBounds {
  const bounds = new GeometryBounds();
  facts?.geometries.set(name, { name, srid: spec.srid, geography: spec.geography, bounds });
  return bounds;
}

/** The `geometry` kind. */
export const geometryKind: ScalarKind = scalarKind({
  fromSpec: (spec) => geometry({ srid: spec.srid, geography: spec.geography }),
  physical: () => ({ type: "BYTE_ARRAY" }),
  toParquet: () => (value) => value,
  row: (spec, element, sink, facts) => {
    const bounds = boundsOf(spec, element.name, facts);
    return (value) => {
      if (!(value instanceof Uint8Array)) throw new Error((canonicalWkb(value) as { reason: string }).reason);
      const why = scanWkb(value, 0, value.length, bounds);
      if (why) throw new Error(`not a WKB geometry: ${why}`);
      sink.addBytes(value, 0, value.length);
    };
  },
  // ISO WKB (what GeoParquet stores), not PostGIS's extended WKB with its SRID.
  readExpression: (col) => `ST_AsBinary(${col})`,
  fromPostgres: () => (value) => {
    const wkb = canonicalWkb(value);
    if ("reason" in wkb) throw new Error(wkb.reason);
    return wkb;
  },
  copy: {
    select: (col) => `ST_AsBinary(${col})`,
    field: (spec, element, sink, refuse, facts) => {
      const bounds = boundsOf(spec, element.name, facts);
      return (b, at, n) => {
        const why = scanWkb(b, at, n, bounds);
        if (why) refuse(`not a WKB geometry: ${why}`);
        sink.addBytes(b, at, n);
      };
    },
  },
  size: () => (value) => ((value as Uint8Array | null)?.length ?? 0) + 16,
});
