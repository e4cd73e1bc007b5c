/**
 * Avro object container files (the form of Iceberg manifests and manifest lists), written and read with
 * avsc's types: a header (magic, metadata with the writer's schema, sync marker), one block of records,
 * no compression. avsc's own container streams are Node streams over the filesystem; this frames the
 * bytes in memory instead, so the same code runs against S3 from any runtime with a `Buffer` global
 * (Deno, Node, Bun; Workers with nodejs_compat).
 *
 * @module
 */

import avro from "avsc";

const HEADER = avro.Type.forSchema({
  type: "record",
  name: "org.apache.avro.file.Header",
  fields: [
    { name: "magic", type: { type: "fixed", name: "Magic", size: 4 } },
    { name: "meta", type: { type: "map", values: "bytes" } },
    { name: "sync", type: { type: "fixed", name: "Sync", size: 16 } },
  ],
});
const LONG = avro.Type.forSchema("long");
const MAGIC = [0x4f, 0x62, 0x6a, 0x01]; // "Obj" 1

/** An Avro schema as JSON (Iceberg's carry `field-id` attributes, kept as written). */
export type AvroSchema = Record<string, unknown>;

/**
 * Encodes `records` as one Avro container file with `schema` and the key-value `metadata`.
 *
 * @example
 * ```ts
 * import { readAvroFile, writeAvroFile } from "./avro_file.ts";
 * const schema = { type: "record", name: "r", fields: [{ name: "a", type: "int", "field-id": 1 }] };
 * const bytes = writeAvroFile(schema, [{ a: 1 }, { a: 2 }], { "format-version": "2" });
 * const back = readAvroFile(bytes);
 * console.assert(back.records.length === 2 && back.metadata["format-version"] === "2");
 * ```
 */
export function writeAvroFile(
  schema: AvroSchema,
  records: readonly unknown[],
  metadata: Record<string, string>,
): Uint8Array {
  const type = avro.Type.forSchema(schema as never);
  const sync = crypto.getRandomValues(new Uint8Array(16));
  const meta: Record<string, Uint8Array> = {
    "avro.schema": utf8(JSON.stringify(schema)),
    "avro.codec": utf8("null"),
  };
  for (const [key, value] of Object.entries(metadata)) meta[key] = utf8(value);
  const parts: Uint8Array[] = [
    HEADER.toBuffer({
      magic: Buffer.from(MAGIC),
      meta: Object.fromEntries(Object.entries(meta).map(([k, v]) => [k, Buffer.from(v)])),
      sync: Buffer.from(sync),
    }),
  ];
  if (records.length) {
    const body = records.map((record) => type.toBuffer(record));
    const size = body.reduce((sum, b) => sum + b.length, 0);
    parts.push(LONG.toBuffer(records.length), LONG.toBuffer(size), ...body, sync);
  }
  const out = new Uint8Array(parts.reduce((sum, p) => sum + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/** What an Avro container file holds. */
export interface AvroFile {
  /** The writer's schema, as written. */
  schema: AvroSchema;
  /** The key-value metadata, as text (`avro.*` keys included). */
  metadata: Record<string, string>;
  /** The records, decoded with the writer's schema. */
  records: Record<string, unknown>[];
}

/** Decodes an Avro container file; throws a plain `Error` saying what is wrong with one that is not. */
export function readAvroFile(bytes: Uint8Array): AvroFile {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const header = HEADER.decode(buffer, 0);
  const head = header.value as { magic: Uint8Array; meta: Record<string, Uint8Array>; sync: Uint8Array };
  if (header.offset < 0 || MAGIC.some((b, i) => head.magic[i] !== b)) throw new Error("not an Avro file");
  const metadata = Object.fromEntries(
    Object.entries(head.meta).map(([k, v]) => [k, new TextDecoder().decode(v)]),
  );
  const codec = metadata["avro.codec"] ?? "null";
  if (codec !== "null") throw new Error(`Avro codec ${codec} is not read here (only uncompressed files)`);
  const schema = JSON.parse(metadata["avro.schema"]) as AvroSchema;
  const type = avro.Type.forSchema(schema as never);
  const records: Record<string, unknown>[] = [];
  let offset = header.offset;
  while (offset < buffer.length) {
    const count = LONG.decode(buffer, offset);
    const size = LONG.decode(buffer, count.offset);
    if (count.offset < 0 || size.offset < 0) throw new Error("truncated Avro block");
    let at = size.offset;
    for (let i = 0; i < (count.value as number); i++) {
      const record = type.decode(buffer, at);
      if (record.offset < 0) throw new Error("truncated Avro record");
      records.push(record.value as Record<string, unknown>);
      at = record.offset;
    }
    offset = at + 16;
  }
  return { schema, metadata, records };
}

function utf8(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}
