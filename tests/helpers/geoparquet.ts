/**
 * GeoParquet test material shared by the tests: every PostGIS shape, and GeoParquet 1.1's JSON schema
 * restated as a check.
 *
 * @module
 */

/** Every shape PostGIS has in WKB, with empties, Z, M and nesting. */
export const SHAPES: readonly string[] = [
  "POINT(1 2)",
  "POINT EMPTY",
  "POINT Z (1 2 3)",
  "POINT M (1 2 4)",
  "POINT ZM (1 2 3 4)",
  "LINESTRING(0 0, 10 -5, 20 5)",
  "LINESTRING EMPTY",
  "POLYGON((0 0, 4 0, 4 4, 0 4, 0 0), (1 1, 2 1, 2 2, 1 1))",
  "POLYGON EMPTY",
  "MULTIPOINT((1 1), (-3 7))",
  "MULTIPOINT EMPTY",
  "MULTILINESTRING((0 0, 1 1), (2 2, 3 -9))",
  "MULTIPOLYGON(((0 0, 1 0, 1 1, 0 0)), ((5 5, 6 5, 6 6, 5 5)))",
  "MULTIPOLYGON EMPTY",
  "GEOMETRYCOLLECTION(POINT(-100 50), LINESTRING(0 0, 1 1), GEOMETRYCOLLECTION(POINT(7 8)))",
  "GEOMETRYCOLLECTION EMPTY",
  "POLYGON Z ((0 0 1, 1 0 2, 1 1 3, 0 0 1))",
];

/**
 * GeoParquet 1.1's JSON schema (format-specs/schema.json at v1.1.0), restated: the required fields
 * and the patterns their values must match. Returns the problems found.
 */
export function geoParquetProblems(geo: unknown): string[] {
  const problems: string[] = [];
  const g = geo as Record<string, unknown>;
  if (typeof g !== "object" || g === null) return ["geo is not an object"];
  for (const key of ["version", "primary_column", "columns"]) if (!(key in g)) problems.push(`no ${key}`);
  if (g.version !== "1.1.0") problems.push(`version ${g.version}`);
  if (typeof g.primary_column !== "string" || !g.primary_column) problems.push("primary_column empty");
  const columns = g.columns as Record<string, Record<string, unknown>>;
  if (typeof columns !== "object" || !Object.keys(columns ?? {}).length) problems.push("no columns");
  for (const [name, column] of Object.entries(columns ?? {})) {
    if (
      !/^(WKB|point|linestring|polygon|multipoint|multilinestring|multipolygon)$/.test(
        String(column.encoding),
      )
    ) {
      problems.push(`${name}: encoding ${column.encoding}`);
    }
    const types = column.geometry_types;
    if (!Array.isArray(types)) problems.push(`${name}: geometry_types missing`);
    else {
      if (new Set(types).size !== types.length) problems.push(`${name}: geometry_types repeat`);
      for (const type of types) {
        if (!/^(GeometryCollection|(Multi)?(Point|LineString|Polygon))( Z)?$/.test(type)) {
          problems.push(`${name}: geometry type ${type}`);
        }
      }
    }
    if ("crs" in column && column.crs !== null && typeof column.crs !== "object") {
      problems.push(`${name}: crs is neither PROJJSON nor null`);
    }
    if ("edges" in column && !["planar", "spherical"].includes(column.edges as string)) {
      problems.push(`${name}: edges ${column.edges}`);
    }
    if ("bbox" in column) {
      const bbox = column.bbox as unknown[];
      if (!Array.isArray(bbox) || ![4, 6].includes(bbox.length) || bbox.some((n) => typeof n !== "number")) {
        problems.push(`${name}: bbox ${JSON.stringify(bbox)}`);
      }
    }
  }
  if (!(g.primary_column as string in (columns ?? {}))) problems.push("primary_column is not a column");
  return problems;
}
