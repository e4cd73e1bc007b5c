// This module is browser compatible.

/**
 * The coordinate reference system of a geometry column as GeoParquet 1.1 wants it: PROJJSON.
 *
 * PostgreSQL cannot give PROJJSON (PostGIS keeps WKT1 and PROJ strings in `spatial_ref_sys`, and does not
 * expose PROJ's PROJJSON output), and bundling the EPSG registry is out of proportion. So the two systems
 * nearly every PostGIS database uses, WGS 84 (4326, also every geography) and Web Mercator (3857), are
 * written out in full here; any other SRID is identified by its EPSG code alone (`{ id: { authority,
 * code } }`), the element GeoParquet tells readers to check first, which hyparquet, GDAL and DuckDB
 * resolve. An SRID of 0 (unknown) is `null`, GeoParquet's "undefined CRS".
 *
 * @module
 */

/** A PROJJSON object (or, for SRIDs not written out, its identifying `id` only). */
export type ProjJson = Record<string, unknown>;

const SCHEMA = "https://proj.org/schemas/v0.7/projjson.schema.json";
const EPSG = (code: number) => ({ authority: "EPSG", code });

const WGS84_ENSEMBLE = {
  name: "World Geodetic System 1984 ensemble",
  members: [
    { name: "World Geodetic System 1984 (Transit)", id: EPSG(1166) },
    { name: "World Geodetic System 1984 (G730)", id: EPSG(1152) },
    { name: "World Geodetic System 1984 (G873)", id: EPSG(1153) },
    { name: "World Geodetic System 1984 (G1150)", id: EPSG(1154) },
    { name: "World Geodetic System 1984 (G1674)", id: EPSG(1155) },
    { name: "World Geodetic System 1984 (G1762)", id: EPSG(1156) },
    { name: "World Geodetic System 1984 (G2139)", id: EPSG(1309) },
  ],
  ellipsoid: { name: "WGS 84", semi_major_axis: 6378137, inverse_flattening: 298.257223563 },
  accuracy: "2.0",
  id: EPSG(6326),
};

/**
 * EPSG:4326. Its axes are latitude, longitude; GeoParquet stores x = longitude, y = latitude whatever
 * the CRS says (its "coordinate axis order" rule), as PostGIS does.
 */
const WGS84 = {
  type: "GeographicCRS",
  name: "WGS 84",
  datum_ensemble: WGS84_ENSEMBLE,
  coordinate_system: {
    subtype: "ellipsoidal",
    axis: [
      { name: "Geodetic latitude", abbreviation: "Lat", direction: "north", unit: "degree" },
      { name: "Geodetic longitude", abbreviation: "Lon", direction: "east", unit: "degree" },
    ],
  },
  id: EPSG(4326),
};

const WEB_MERCATOR = {
  type: "ProjectedCRS",
  name: "WGS 84 / Pseudo-Mercator",
  base_crs: { name: "WGS 84", datum_ensemble: WGS84_ENSEMBLE, coordinate_system: WGS84.coordinate_system },
  conversion: {
    name: "Popular Visualisation Pseudo-Mercator",
    method: { name: "Popular Visualisation Pseudo Mercator", id: EPSG(1024) },
    parameters: [
      { name: "Latitude of natural origin", value: 0, unit: "degree", id: EPSG(8801) },
      { name: "Longitude of natural origin", value: 0, unit: "degree", id: EPSG(8802) },
      { name: "False easting", value: 0, unit: "metre", id: EPSG(8806) },
      { name: "False northing", value: 0, unit: "metre", id: EPSG(8807) },
    ],
  },
  coordinate_system: {
    subtype: "Cartesian",
    axis: [
      { name: "Easting", abbreviation: "X", direction: "east", unit: "metre" },
      { name: "Northing", abbreviation: "Y", direction: "north", unit: "metre" },
    ],
  },
  id: EPSG(3857),
};

const KNOWN: Record<number, Record<string, unknown>> = { 4326: WGS84, 3857: WEB_MERCATOR };

/**
 * The PROJJSON of a PostGIS SRID: in full for 4326 and 3857, its EPSG id for others, `null` for 0 or
 * an unknown SRID.
 *
 * @example
 * ```ts
 * import { crsOf } from "./crs.ts";
 * console.assert((crsOf(4326)?.id as { code: number }).code === 4326);
 * console.assert(crsOf(0) === null);
 * ```
 */
export function crsOf(srid: number | undefined): ProjJson | null {
  if (!srid || srid < 0) return null;
  const known = KNOWN[srid];
  // A fresh copy each time: callers may serialise or change it.
  return known ? structuredClone({ $schema: SCHEMA, ...known }) : { id: EPSG(srid) };
}
