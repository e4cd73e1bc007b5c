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
 * GeoParquet 1.1's JSON schema (format-specs/schema.json at tag v1.1.0), restated rule by rule: the
 * required keys at each level, their types, constants, patterns and sizes. Its `crs` is a PROJJSON object
 * (PROJJSON v0.7's schema, restated for the two CRS types we write in full: see {@link crsProblems}) or
 * `null`. Returns the problems found.
 */
export function geoParquetProblems(geo: unknown): string[] {
  const problems: string[] = [];
  if (!isObject(geo)) return ["geo is not an object"];
  for (const key of ["version", "primary_column", "columns"]) if (!(key in geo)) problems.push(`no ${key}`);
  if (geo.version !== "1.1.0") problems.push(`version ${geo.version}`);
  if (typeof geo.primary_column !== "string" || !geo.primary_column) problems.push("primary_column empty");
  const columns = geo.columns;
  if (!isObject(columns) || !Object.keys(columns).length) return [...problems, "no columns"];
  for (const [name, column] of Object.entries(columns)) {
    // patternProperties ".+" with additionalProperties false: every name has a character.
    if (!name) problems.push("a column with an empty name");
    if (!isObject(column)) {
      problems.push(`${name}: not an object`);
      continue;
    }
    for (const key of ["encoding", "geometry_types"]) {
      if (!(key in column)) problems.push(`${name}: no ${key}`);
    }
    if (
      !/^(WKB|point|linestring|polygon|multipoint|multilinestring|multipolygon)$/.test(
        String(column.encoding),
      )
    ) {
      problems.push(`${name}: encoding ${column.encoding}`);
    }
    const types = column.geometry_types;
    if (!Array.isArray(types)) problems.push(`${name}: geometry_types is not an array`);
    else {
      if (new Set(types).size !== types.length) problems.push(`${name}: geometry_types repeat`);
      for (const type of types) {
        if (
          typeof type !== "string" ||
          !/^(GeometryCollection|(Multi)?(Point|LineString|Polygon))( Z)?$/.test(type)
        ) {
          problems.push(`${name}: geometry type ${type}`);
        }
      }
    }
    if ("crs" in column && column.crs !== null) problems.push(...crsProblems(name, column.crs));
    if ("edges" in column && !["planar", "spherical"].includes(column.edges as string)) {
      problems.push(`${name}: edges ${column.edges}`);
    }
    if ("orientation" in column && column.orientation !== "counterclockwise") {
      problems.push(`${name}: orientation ${column.orientation}`);
    }
    if ("bbox" in column) {
      const bbox = column.bbox as unknown[];
      if (!Array.isArray(bbox) || ![4, 6].includes(bbox.length) || bbox.some((n) => typeof n !== "number")) {
        problems.push(`${name}: bbox ${JSON.stringify(bbox)}`);
      }
    }
    if ("epoch" in column && typeof column.epoch !== "number") {
      problems.push(`${name}: epoch ${column.epoch}`);
    }
    if ("covering" in column) {
      const box = isObject(column.covering) ? column.covering.bbox : undefined;
      const parts = ["xmin", "xmax", "ymin", "ymax"];
      if (
        !isObject(box) || parts.some((part) => {
          const path = box[part];
          return !Array.isArray(path) || path.length !== 2 || typeof path[0] !== "string" || !path[0] ||
            path[1] !== part;
        })
      ) problems.push(`${name}: covering ${JSON.stringify(column.covering)}`);
    }
  }
  // Not the schema's but the specification's text: the primary column is one of the columns.
  if (!((geo.primary_column as string) in columns)) problems.push("primary_column is not a column");
  return problems;
}

/**
 * PROJJSON v0.7 (proj.org/schemas/v0.7/projjson.schema.json) for a `GeographicCRS`/`GeodeticCRS`
 * (`name`, one and only one of `datum` and `datum_ensemble`, an ensemble with `name`, `members` and
 * `accuracy`) and a `ProjectedCRS` (`name`, `base_crs` a geodetic CRS, `conversion` with `name` and a
 * `method` with a `name`, `coordinate_system`); a coordinate system has `subtype` and `axis`, each axis
 * `name`, `abbreviation` and `direction`; an `id` has `authority` and `code`, and `id` and `ids` exclude
 * each other. (The schema tells CRS types apart by their members; we ask for `type`, which PROJ writes.)
 * An object holding only an `id` is not PROJJSON (every CRS has a name): it is what we write for SRIDs
 * we have no definition of, as the issue allows ("or the SRID's identifier"), and is accepted as such.
 */
function crsProblems(name: string, crs: unknown): string[] {
  if (!isObject(crs)) return [`${name}: crs is neither PROJJSON nor null`];
  if (Object.keys(crs).length === 1 && "id" in crs) return idProblems(`${name}: crs id`, crs.id);
  const where = `${name}: crs`;
  if (crs.type === "GeographicCRS" || crs.type === "GeodeticCRS") return geodeticProblems(where, crs);
  if (crs.type !== "ProjectedCRS") return [`${where} type ${crs.type} is not one we write`];
  const problems = common(where, crs, ["name", "base_crs", "conversion", "coordinate_system"]);
  problems.push(...geodeticProblems(`${where} base_crs`, crs.base_crs));
  const conversion = crs.conversion;
  problems.push(...common(`${where} conversion`, conversion, ["name", "method"]));
  if (isObject(conversion)) {
    problems.push(...common(`${where} conversion method`, conversion.method, ["name"]));
  }
  problems.push(...systemProblems(`${where} coordinate_system`, crs.coordinate_system));
  return problems;
}

function geodeticProblems(where: string, crs: unknown): string[] {
  const problems = common(where, crs, ["name"]);
  if (!isObject(crs)) return problems;
  if (("datum" in crs) === ("datum_ensemble" in crs)) problems.push(`${where}: one of datum, datum_ensemble`);
  if ("datum_ensemble" in crs) {
    const ensemble = crs.datum_ensemble;
    problems.push(...common(`${where} datum_ensemble`, ensemble, ["name", "members", "accuracy"]));
    if (isObject(ensemble) && Array.isArray(ensemble.members)) {
      ensemble.members.forEach((member, i) =>
        problems.push(...common(`${where} member ${i}`, member, ["name"]))
      );
    }
  }
  if ("coordinate_system" in crs) {
    problems.push(...systemProblems(`${where} coordinate_system`, crs.coordinate_system));
  }
  return problems;
}

function systemProblems(where: string, system: unknown): string[] {
  const problems = common(where, system, ["subtype", "axis"]);
  if (isObject(system) && Array.isArray(system.axis)) {
    system.axis.forEach((axis, i) =>
      problems.push(...common(`${where} axis ${i}`, axis, ["name", "abbreviation", "direction"]))
    );
  }
  return problems;
}

/** Required members, and an `id` (not both `id` and `ids`) that is one. */
function common(where: string, value: unknown, required: string[]): string[] {
  if (!isObject(value)) return [`${where} is not an object`];
  const problems = required.filter((key) => !(key in value)).map((key) => `${where} has no ${key}`);
  if ("id" in value && "ids" in value) problems.push(`${where} has both id and ids`);
  if ("id" in value) problems.push(...idProblems(`${where} id`, value.id));
  return problems;
}

function idProblems(where: string, id: unknown): string[] {
  if (!isObject(id)) return [`${where} is not an object`];
  return typeof id.authority === "string" && (typeof id.code === "string" || Number.isInteger(id.code))
    ? []
    : [`${where} ${JSON.stringify(id)}`];
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
