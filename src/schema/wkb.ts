// This module is browser compatible.

/**
 * Well-Known Binary, as geometry columns store it (ISO WKB: what PostGIS's `ST_AsBinary` writes, and
 * what GeoParquet asks for): one pass over a value's bytes that checks its structure and adds its type
 * and coordinates to a column's {@link GeometryBounds}, for the GeoParquet `geo` metadata.
 *
 * Hand-written because it runs on every geometry of a binary COPY, straight on the stream's bytes,
 * without making a GeoJSON object per value (the WKB decoders of hyparquet and of npm do).
 *
 * @module
 */

/** The WKB geometry type codes, 1…7. */
export const GEOMETRY_TYPES = [
  "Point",
  "LineString",
  "Polygon",
  "MultiPoint",
  "MultiLineString",
  "MultiPolygon",
  "GeometryCollection",
] as const;

/**
 * What the geometries of a column span: their ISO type codes (`1` Point … `7` GeometryCollection,
 * `+1000` with Z, `+2000` with M, `+3000` with both) and the bounding box of their finite coordinates.
 */
export class GeometryBounds {
  /** ISO WKB type codes of the top-level geometries seen. */
  readonly types: Set<number> = new Set();
  /** Least x seen (`Infinity` before any). */
  xmin = Infinity;
  /** Least y seen. */
  ymin = Infinity;
  /** Greatest x seen (`-Infinity` before any). */
  xmax = -Infinity;
  /** Greatest y seen. */
  ymax = -Infinity;
  /** Least z seen, over geometries with Z. */
  zmin = Infinity;
  /** Greatest z seen. */
  zmax = -Infinity;
}

/**
 * Checks the WKB value `b[at … at + length)` and, when `bounds` is given, adds its type and coordinates
 * to it. Returns `undefined` when the bytes are one whole WKB geometry, else the reason they are not.
 *
 * @example
 * ```ts
 * import { GeometryBounds, scanWkb } from "./wkb.ts";
 * const point = new Uint8Array(21);
 * const view = new DataView(point.buffer);
 * view.setUint8(0, 1);
 * view.setUint32(1, 1, true);
 * view.setFloat64(5, -1.5, true);
 * view.setFloat64(13, 53.8, true);
 * const bounds = new GeometryBounds();
 * console.assert(scanWkb(point, 0, 21, bounds) === undefined && bounds.ymax === 53.8);
 * ```
 */
export function scanWkb(
  b: Uint8Array,
  at: number,
  length: number,
  bounds?: GeometryBounds,
): string | undefined {
  const scan = new Scan(new DataView(b.buffer, b.byteOffset + at, length), bounds);
  try {
    const type = scan.geometry(0);
    if (scan.at !== length) return `${length - scan.at} bytes after the end of the geometry`;
    bounds?.types.add(type);
    if (bounds) scan.commit(bounds);
    return undefined;
  } catch (error) {
    if (error instanceof RangeError) return "the geometry ends before its coordinates do";
    return (error as Error).message;
  }
}

/** One walk over a value; coordinates are gathered here and only added to the bounds if it is whole. */
class Scan {
  at = 0;
  #xmin = Infinity;
  #ymin = Infinity;
  #xmax = -Infinity;
  #ymax = -Infinity;
  #zmin = Infinity;
  #zmax = -Infinity;

  constructor(readonly view: DataView, readonly bounds?: GeometryBounds) {}

  /** Reads one geometry (header and body); returns its ISO type code. */
  geometry(depth: number): number {
    if (depth > 32) throw new Error("geometries nested more than 32 deep");
    const order = this.view.getUint8(this.at);
    if (order > 1) throw new Error(`byte order ${order} is neither 0 (big endian) nor 1 (little endian)`);
    const little = order === 1;
    const code = this.view.getUint32(this.at + 1, little);
    this.at += 5;
    if (code > 0xffff) {
      throw new Error(
        `type 0x${code.toString(16)} is extended WKB (EWKB, with SRID or flags): store ISO WKB (ST_AsBinary)`,
      );
    }
    const base = code % 1000, dims = Math.floor(code / 1000);
    if (base < 1 || base > 7 || dims > 3) throw new Error(`unknown WKB geometry type ${code}`);
    const hasZ = dims === 1 || dims === 3;
    const width = 2 + (hasZ ? 1 : 0) + (dims >= 2 ? 1 : 0);
    if (base === 1) {
      this.positions(1, width, hasZ, little);
      return code;
    }
    const count = this.count(little);
    if (base === 2) this.positions(count, width, hasZ, little);
    else if (base === 3) {
      for (let ring = 0; ring < count; ring++) this.positions(this.count(little), width, hasZ, little);
    } else {
      for (let part = 0; part < count; part++) {
        const inner = this.geometry(depth + 1);
        if (base !== 7 && inner % 1000 !== base - 3) {
          throw new Error(`a ${GEOMETRY_TYPES[base - 1]} holds a ${GEOMETRY_TYPES[(inner % 1000) - 1]}`);
        }
      }
    }
    return code;
  }

  count(little: boolean): number {
    const count = this.view.getUint32(this.at, little);
    this.at += 4;
    // Each element takes at least 4 bytes: a count beyond what is left is corrupt, not a large geometry.
    if (count > (this.view.byteLength - this.at) / 4) {
      throw new Error(`a count of ${count} is more than the bytes left hold`);
    }
    return count;
  }

  positions(count: number, width: number, hasZ: boolean, little: boolean): void {
    const view = this.view;
    if (this.at + count * width * 8 > view.byteLength) throw new RangeError();
    for (let i = 0; i < count; i++, this.at += width * 8) {
      const x = view.getFloat64(this.at, little), y = view.getFloat64(this.at + 8, little);
      // An empty point is NaN, NaN: it has no extent.
      if (x === x && y === y) {
        if (x < this.#xmin) this.#xmin = x;
        if (x > this.#xmax) this.#xmax = x;
        if (y < this.#ymin) this.#ymin = y;
        if (y > this.#ymax) this.#ymax = y;
      }
      if (hasZ) {
        const z = view.getFloat64(this.at + 16, little);
        if (z < this.#zmin) this.#zmin = z;
        if (z > this.#zmax) this.#zmax = z;
      }
    }
  }

  commit(bounds: GeometryBounds): void {
    bounds.xmin = Math.min(bounds.xmin, this.#xmin);
    bounds.ymin = Math.min(bounds.ymin, this.#ymin);
    bounds.xmax = Math.max(bounds.xmax, this.#xmax);
    bounds.ymax = Math.max(bounds.ymax, this.#ymax);
    bounds.zmin = Math.min(bounds.zmin, this.#zmin);
    bounds.zmax = Math.max(bounds.zmax, this.#zmax);
  }
}
