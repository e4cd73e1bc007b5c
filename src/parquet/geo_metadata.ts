// This module is browser compatible.

/**
 * The GeoParquet 1.1 `geo` key of a file's key-value metadata: which columns hold geometries (WKB), of
 * which types, in which coordinate reference system, within which bounding box. Types and box are those
 * of the values actually written (gathered in a {@link GeometryBounds} per column as they are encoded),
 * so they describe the file, not only the column's declaration.
 *
 * @module
 */

import { GEOMETRY_TYPES, type GeometryBounds } from "../schema/wkb.ts";
import type { KeyValue } from "hyparquet";
import type { FileFacts } from "../schema/kinds/kind.ts";
import { crsOf, type ProjJson } from "./crs.ts";

/** The key-value metadata key GeoParquet readers look for. */
export const GEO_METADATA_KEY = "geo";

/** The GeoParquet version written. */
export const GEOPARQUET_VERSION = "1.1.0";

/** One geometry column of a file, as the encoder knows it. */
export interface GeoColumn {
  /** The Parquet column name. */
  name: string;
  /** The column's SRID; `undefined` or 0 when it is not known (GeoParquet's `crs: null`). */
  srid?: number;
  /** A PostGIS geography: edges are great-circle arcs (`edges: "spherical"`). */
  geography?: boolean;
  /** What the written values span. */
  bounds: GeometryBounds;
}

/** The metadata of one column under `geo.columns`. */
export interface GeoColumnMetadata {
  /** Always `"WKB"`. */
  encoding: "WKB";
  /** The types of the geometries written (`"Polygon"`, `"Point Z"`, …); empty when not expressible. */
  geometry_types: string[];
  /** PROJJSON, or `null` for an unknown CRS. */
  crs: ProjJson | null;
  /** `"spherical"` for geography columns (absent means planar). */
  edges?: "spherical";
  /** `[xmin, ymin, xmax, ymax]`, or with z when every geometry has Z; absent when nothing had extent. */
  bbox?: number[];
}

/** The whole `geo` object. */
export interface GeoMetadata {
  /** {@link GEOPARQUET_VERSION}. */
  version: string;
  /** The first geometry column. */
  primary_column: string;
  /** Each geometry column by name. */
  columns: Record<string, GeoColumnMetadata>;
}

/**
 * Builds the `geo` metadata of a file from its geometry columns (in table order, the first being the
 * primary one); `undefined` when there are none.
 *
 * @example
 * ```ts
 * import { GeometryBounds } from "../schema/wkb.ts";
 * import { geoMetadata } from "./geo_metadata.ts";
 * const bounds = new GeometryBounds();
 * bounds.types.add(3);
 * Object.assign(bounds, { xmin: 0, ymin: 0, xmax: 2, ymax: 1 });
 * const geo = geoMetadata([{ name: "shape", srid: 4326, bounds }])!;
 * console.assert(geo.primary_column === "shape" && geo.columns.shape.bbox?.join() === "0,0,2,1");
 * ```
 */
export function geoMetadata(columns: readonly GeoColumn[]): GeoMetadata | undefined {
  if (!columns.length) return undefined;
  return {
    version: GEOPARQUET_VERSION,
    primary_column: columns[0].name,
    columns: Object.fromEntries(columns.map((column) => [column.name, columnMetadata(column)])),
  };
}

function columnMetadata({ srid, geography, bounds }: GeoColumn): GeoColumnMetadata {
  const metadata: GeoColumnMetadata = {
    encoding: "WKB",
    geometry_types: geometryTypes(bounds.types),
    crs: crsOf(srid),
  };
  if (geography) metadata.edges = "spherical";
  const box = bbox(bounds);
  if (box) metadata.bbox = box;
  return metadata;
}

/**
 * GeoParquet names types of two or three dimensions only: with any M coordinate the list is left empty
 * ("not known"), which the specification allows, rather than naming a type it does not define.
 */
function geometryTypes(codes: Set<number>): string[] {
  const names: string[] = [];
  for (const code of [...codes].sort((a, b) => a - b)) {
    const dims = Math.floor(code / 1000);
    if (dims >= 2) return [];
    names.push(GEOMETRY_TYPES[(code % 1000) - 1] + (dims === 1 ? " Z" : ""));
  }
  return names;
}

function bbox(bounds: GeometryBounds): number[] | undefined {
  const { xmin, ymin, xmax, ymax, zmin, zmax } = bounds;
  if (!(xmin <= xmax && ymin <= ymax)) return undefined;
  const allZ = [...bounds.types].every((code) => Math.floor(code / 1000) % 2 === 1);
  return allZ && zmin <= zmax ? [xmin, ymin, zmin, xmax, ymax, zmax] : [xmin, ymin, xmax, ymax];
}

/**
 * The footer entries a file's facts add: the `geo` key when its table has geometry columns, else none.
 *
 * @example
 * ```ts
 * import { geoKeyValues } from "./geo_metadata.ts";
 * console.assert(geoKeyValues({ geometries: new Map() }).length === 0);
 * ```
 */
export function geoKeyValues(facts: FileFacts): KeyValue[] {
  const geo = geoMetadata([...facts.geometries.values()]);
  return geo ? [{ key: GEO_METADATA_KEY, value: JSON.stringify(geo) }] : [];
}
