/**
 * Rows from memory: N prebuilt row objects (the bench's 16-column borehole log, as a program would
 * hand them over) written to a Parquet file by our streams (ValidateStream → EncodeStream → file) and,
 * for comparison, by hyparquet-writer's `parquetWriteBuffer` on the same rows (unvalidated; its
 * row → column transposition is timed too). Only the writing is timed; building the rows is not.
 * Peak memory is the peak RSS above what the prebuilt rows took (what the writer itself took).
 *
 * Usage: deno run -A bench/memory_rows.ts [--rows 1000000] [--path memory-ours|memory-hyparquet]; also
 * the bench's paths `memory-ours` and `memory-hyparquet` (`deno task bench`).
 *
 * @module
 */

import { parseArgs } from "node:util";
import { parquetWriteBuffer } from "hyparquet-writer";
import {
  boolean,
  defineTable,
  EncodeStream,
  float,
  int,
  jsonb,
  numeric,
  type Row,
  text,
  timestamp,
  timestamptz,
  uuid,
  ValidateStream,
} from "../mod.ts";
import { parquetLayout } from "../src/schema/parquet_schema.ts";
import { formatTimestamp } from "../src/schema/values.ts";

/** The bench's borehole log, as a table definition. */
export const memoryTable = defineTable("borehole_log", {
  id: uuid(),
  hole_id: uuid(),
  run_id: uuid(),
  seq: int(),
  depth_from: numeric(8, 2),
  depth_to: numeric(8, 2),
  description: text(),
  lithology: text(),
  recovery: int().nullable(),
  x: float(),
  y: float(),
  z: float(),
  attrs: jsonb(),
  logged_at: timestamptz(),
  sampled_at: timestamp(),
  verified: boolean(),
});

const LITHOLOGY = ["clay", "silt", "sand", "gravel", "sandstone", "mudstone", "limestone", "granite"];
const FIRMNESS = ["firm", "soft", "stiff", "loose", "dense"];
const COLOUR = ["grey", "brown", "red", "olive"];

function fakeUuid(n: number): string {
  const hex = (n * 2654435761 >>> 0).toString(16).padStart(8, "0") + n.toString(16).padStart(24, "0");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * `count` rows like the bench table's, each its own object with its own strings, every string flat, as
 * a driver or `JSON.parse` hands them over. Built by concatenation, a string is a rope of its pieces
 * that any writer flattens on its first read (V8 keeps the flat copy in the row): measured, that added
 * ~300 MiB of the rows' own memory, and its garbage collection, to whichever writer read them first.
 */
export function memoryRows(count: number): Row[] {
  const rows = ropeRows(count);
  for (let i = 0; i < rows.length; i++) rows[i] = JSON.parse(JSON.stringify(rows[i]));
  return rows;
}

function ropeRows(count: number): Row[] {
  const rows: Row[] = new Array(count);
  const start = Date.UTC(2024, 0, 1) * 1000;
  for (let i = 1; i <= count; i++) {
    const lithology = LITHOLOGY[i % LITHOLOGY.length];
    rows[i - 1] = {
      id: fakeUuid(i),
      hole_id: fakeUuid(Math.floor(i / 500)),
      run_id: fakeUuid(Math.floor(i / 50)),
      seq: i,
      depth_from: ((i % 50000) / 10).toFixed(2),
      depth_to: ((i % 50000) / 10 + 0.1 + (i % 7) / 100).toFixed(2),
      description: `${lithology}, ${FIRMNESS[i % 5]} ${COLOUR[Math.floor(i / 3) % 4]}${
        " with fragments".repeat(i % 4)
      } #${i * 7919 % 100003}`,
      lithology,
      recovery: i % 10 === 0 ? null : i * 31 % 100,
      x: 500000 + (i % 1000) * 1.5,
      y: 6000000 + Math.floor(i / 1000) * 2.25,
      z: -((i % 50000) / 10) + Math.sin(i),
      attrs: { rig: `R${i % 12}`, ok: i % 3 === 0 },
      logged_at: formatTimestamp(BigInt(start + i * 1_000_000), true),
      sampled_at: formatTimestamp(BigInt(start + i * 1_500_000), false),
      verified: i % 2 === 0,
    };
  }
  return rows;
}

/** Ours: the rows through ValidateStream and EncodeStream into `file`. */
export async function oursFromMemory(rows: Row[], file: string): Promise<number> {
  const out = await Deno.open(file, { write: true, create: true, truncate: true });
  await ReadableStream.from(rows)
    .pipeThrough(new ValidateStream(memoryTable))
    .pipeThrough(new EncodeStream(memoryTable))
    .pipeTo(out.writable);
  return (await Deno.stat(file)).size;
}

/** hyparquet-writer's parquetWriteBuffer on the same rows, with our schema, unvalidated. */
export async function hyparquetFromMemory(rows: Row[], file: string): Promise<number> {
  const layout = parquetLayout(memoryTable);
  const columnData = layout.columns.map(({ name, source, toParquet }) => {
    const data = new Array(rows.length);
    for (let i = 0; i < rows.length; i++) data[i] = toParquet(rows[i][source]);
    return { name, data };
  });
  const bytes = new Uint8Array(
    parquetWriteBuffer({ columnData, schema: layout.schema, rowGroupSize: 100_000 }),
  );
  await Deno.writeFile(file, bytes);
  return bytes.length;
}

function rssMiB(field: "VmRSS" | "VmHWM"): number {
  const status = Deno.readTextFileSync("/proc/self/status");
  return Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1]) / 1024;
}

/**
 * One bench child: `count` rows built, then written by `path` ("memory-ours" or "memory-hyparquet");
 * reports the writing's seconds and its peak RSS above what the prebuilt rows took.
 */
export async function memoryPath(
  path: string,
  count: number,
  file: string,
): Promise<{ rows: number; bytes: number; seconds: number; peakMiB: number }> {
  const rows = memoryRows(count);
  const before = rssMiB("VmRSS");
  try {
    // Linux: reset the peak RSS, so the peak below is the writing's (rows included), not the building's.
    Deno.writeTextFileSync("/proc/self/clear_refs", "5");
  } catch { /* not Linux: the peak includes building the rows */ }
  const started = performance.now();
  const bytes = path === "memory-hyparquet"
    ? await hyparquetFromMemory(rows, file)
    : await oursFromMemory(rows, file);
  const seconds = (performance.now() - started) / 1000;
  return { rows: count, bytes, seconds, peakMiB: rssMiB("VmHWM") - before };
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      rows: { type: "string", default: "1000000" },
      path: { type: "string", default: "memory-ours" },
    },
  });
  const file = await Deno.makeTempFile({ suffix: ".parquet" });
  console.log(
    JSON.stringify({ path: values.path, ...await memoryPath(values.path, Number(values.rows), file) }),
  );
  await Deno.remove(file);
}
