import assert from "node:assert/strict";
import { geojsonToWkb } from "hyparquet-writer";
import { crsOf } from "../src/parquet/crs.ts";
import { geoMetadata, GEOPARQUET_VERSION } from "../src/parquet/geo_metadata.ts";
import { GeometryBounds, scanWkb } from "../src/schema/wkb.ts";
import { connect, ensurePostgis } from "./helpers/pg.ts";
import { geoParquetProblems, SHAPES } from "./helpers/geoparquet.ts";

Deno.test("scanWkb reads every PostGIS shape: types and the bounds PostGIS computes", async () => {
  const sql = connect();
  try {
    await ensurePostgis(sql);
    for (const wkt of SHAPES) {
      const [row] = await sql`
        SELECT ST_AsBinary(g) AS wkb, ST_AsBinary(g, 'XDR') AS xdr, ST_IsEmpty(g) AS empty,
               ST_XMin(g) AS xmin, ST_YMin(g) AS ymin, ST_XMax(g) AS xmax, ST_YMax(g) AS ymax
          FROM (SELECT ST_GeomFromText(${wkt}) AS g) s`;
      for (const bytes of [row.wkb, row.xdr] as Uint8Array[]) {
        const bounds = new GeometryBounds();
        assert.equal(scanWkb(bytes, 0, bytes.length, bounds), undefined, wkt);
        assert.equal(bounds.types.size, 1, wkt);
        if (row.empty) assert.equal(bounds.xmin, Infinity, wkt);
        else {
          assert.deepEqual([bounds.xmin, bounds.ymin, bounds.xmax, bounds.ymax], [
            row.xmin,
            row.ymin,
            row.xmax,
            row.ymax,
          ], wkt);
        }
      }
    }
  } finally {
    await sql.end();
  }
});

Deno.test("scanWkb refuses what is not one whole ISO WKB geometry, saying why", () => {
  const point = geojsonToWkb({ type: "Point", coordinates: [1, 2] });
  assert.equal(scanWkb(point, 0, point.length), undefined);
  assert.match(scanWkb(point, 0, 20)!, /ends before/);
  const longer = new Uint8Array([...point, 0]);
  assert.match(scanWkb(longer, 0, longer.length)!, /1 bytes after the end/);
  const ewkb = point.slice();
  new DataView(ewkb.buffer).setUint32(1, 0x20000001, true);
  assert.match(scanWkb(ewkb, 0, ewkb.length)!, /EWKB.*ST_AsBinary/);
  assert.match(scanWkb(new Uint8Array([7, 1, 0, 0, 0]), 0, 5)!, /byte order 7/);
  assert.match(scanWkb(new Uint8Array([1, 9, 0, 0, 0]), 0, 5)!, /unknown WKB geometry type 9/);
  const huge = new Uint8Array([1, 2, 0, 0, 0, 255, 255, 255, 255]);
  assert.match(scanWkb(huge, 0, huge.length)!, /count of 4294967295/);
  // A multipoint holding a line is not a multipoint.
  const line = geojsonToWkb({ type: "LineString", coordinates: [[0, 0], [1, 1]] });
  const bad = new Uint8Array([1, 4, 0, 0, 0, 1, 0, 0, 0, ...line]);
  assert.match(scanWkb(bad, 0, bad.length)!, /MultiPoint holds a LineString/);
  // Offsets into a larger buffer (a COPY chunk) read the right bytes.
  const framed = new Uint8Array([9, 9, 9, ...point, 9]);
  const bounds = new GeometryBounds();
  assert.equal(scanWkb(framed, 3, point.length, bounds), undefined);
  assert.deepEqual([bounds.xmin, bounds.ymax], [1, 2]);
});

Deno.test("geo metadata: GeoParquet 1.1's required fields, the types and box written, CRS by SRID", () => {
  const shapes = new GeometryBounds();
  for (
    const geometry of [
      { type: "Polygon", coordinates: [[[0, 0], [4, 0], [4, 3], [0, 0]]] },
      { type: "Point", coordinates: [-2, 9] },
      { type: "Point", coordinates: [1, 1] },
    ] as const
  ) {
    const wkb = geojsonToWkb(geometry);
    scanWkb(wkb, 0, wkb.length, shapes);
  }
  const solid = new GeometryBounds();
  const z = geojsonToWkb({ type: "Point", coordinates: [1, 2, 3] });
  scanWkb(z, 0, z.length, solid);
  const measured = new GeometryBounds();
  measured.types.add(2001);
  const geo = geoMetadata([
    { name: "shape", srid: 3857, bounds: shapes },
    { name: "place", srid: 4326, geography: true, bounds: solid },
    { name: "track", srid: 27700, bounds: measured },
    { name: "anything", bounds: new GeometryBounds() },
  ])!;
  assert.deepEqual(geoParquetProblems(geo), []);
  assert.equal(geo.version, GEOPARQUET_VERSION);
  assert.equal(geo.primary_column, "shape");
  assert.deepEqual(geo.columns.shape.geometry_types, ["Point", "Polygon"]);
  assert.deepEqual(geo.columns.shape.bbox, [-2, 0, 4, 9]);
  assert.equal((geo.columns.shape.crs as { type: string }).type, "ProjectedCRS");
  assert.equal(geo.columns.shape.edges, undefined);
  assert.deepEqual(geo.columns.place.geometry_types, ["Point Z"]);
  assert.deepEqual(geo.columns.place.bbox, [1, 2, 3, 1, 2, 3]);
  assert.equal(geo.columns.place.edges, "spherical");
  assert.deepEqual(geo.columns.track.geometry_types, [], "M types are not GeoParquet's: listed as unknown");
  assert.deepEqual(geo.columns.track.crs, { id: { authority: "EPSG", code: 27700 } });
  assert.equal(geo.columns.anything.crs, null);
  assert.equal(geo.columns.anything.bbox, undefined, "no geometry, no box");
  assert.equal(geoMetadata([]), undefined);
  assert.deepEqual(crsOf(4326)!.id as object, { authority: "EPSG", code: 4326 });
  assert.notEqual(crsOf(4326), crsOf(4326), "a fresh object each time");
});

Deno.test("the GeoParquet 1.1 check itself finds what the schema forbids", () => {
  const bounds = new GeometryBounds();
  bounds.types.add(1);
  const good = geoMetadata([{ name: "shape", srid: 3857, bounds }, { name: "place", srid: 4326, bounds }])!;
  // deno-lint-ignore no-explicit-any
  type Loose = Record<string, any>;
  const broken = (change: (geo: Loose) => void) => {
    const geo = structuredClone(good) as unknown as Loose;
    change(geo);
    return geoParquetProblems(geo);
  };
  assert.deepEqual(geoParquetProblems(good), []);
  assert.deepEqual(broken((g) => (g.version = "1.0.0")), ["version 1.0.0"]);
  assert.deepEqual(broken((g) => delete g.columns.shape.geometry_types), [
    "shape: no geometry_types",
    "shape: geometry_types is not an array",
  ]);
  assert.deepEqual(broken((g) => (g.columns.shape.geometry_types = ["Point", "Point"])), [
    "shape: geometry_types repeat",
  ]);
  assert.deepEqual(broken((g) => (g.columns.shape.geometry_types = ["Point M"])), [
    "shape: geometry type Point M",
  ]);
  assert.deepEqual(broken((g) => (g.columns.shape.bbox = [1, 2, 3, 4, 5])), ["shape: bbox [1,2,3,4,5]"]);
  assert.deepEqual(broken((g) => (g.columns.shape.orientation = "clockwise")), [
    "shape: orientation clockwise",
  ]);
  assert.deepEqual(broken((g) => (g.columns.shape.edges = "curved")), ["shape: edges curved"]);
  assert.deepEqual(broken((g) => (g.primary_column = "nope")), ["primary_column is not a column"]);
  assert.deepEqual(
    broken((g) => (g.columns = {})),
    ["primary_column is not a column", "no columns"].slice(1),
  );
  assert.deepEqual(broken((g) => delete g.columns.shape.crs.conversion.method), [
    "shape: crs conversion has no method",
    "shape: crs conversion method is not an object",
  ]);
  assert.deepEqual(broken((g) => delete g.columns.place.crs.datum_ensemble), [
    "place: crs: one of datum, datum_ensemble",
  ]);
  assert.deepEqual(broken((g) => delete g.columns.place.crs.coordinate_system.axis[0].direction), [
    "place: crs coordinate_system axis 0 has no direction",
  ]);
  assert.deepEqual(broken((g) => (g.columns.place.crs = "EPSG:4326")), [
    "place: crs is neither PROJJSON nor null",
  ]);
  assert.deepEqual(broken((g) => (g.columns.place.crs = { id: { authority: "EPSG" } })), [
    'place: crs id {"authority":"EPSG"}',
  ]);
});
