/** What the S3 tests share: bytes that do not compress, a client that counts its commands, objects read back. */

import assert from "node:assert/strict";
import { GetObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { int, text } from "../../src/schema/columns.ts";
import { defineTable, type Row } from "../../src/schema/table.ts";
import { parseS3Location } from "../../src/sinks/s3_location.ts";

export const MiB = 1024 * 1024;
export const PART = 5 * MiB;

/** Deterministic bytes that do not compress: xorshift32. */
export function noise(length: number, seed = 1): Uint8Array {
  const words = new Uint32Array(Math.ceil(length / 4));
  let x = seed >>> 0 || 1;
  for (let i = 0; i < words.length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    words[i] = x >>> 0;
  }
  return new Uint8Array(words.buffer, 0, length);
}

/** `bytes` cut into chunks of `size`, so parts never line up with writes. */
export function chunks(bytes: Uint8Array, size: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let at = 0; at < bytes.length; at += size) out.push(bytes.subarray(at, at + size));
  return out;
}

/** Counts the commands a client sends, the most UploadParts in flight at once, and the CRC32s sent. */
export function countCommands(client: S3Client) {
  const counts = { sent: new Map<string, number>(), uploadsInFlight: 0, maxUploadsInFlight: 0, crc32: 0 };
  client.middlewareStack.add(
    (next) => (args) => {
      const { headers } = args.request as { headers?: Record<string, string> };
      if (headers?.["x-amz-checksum-crc32"]) counts.crc32++;
      return next(args);
    },
    { step: "finalizeRequest", name: "countChecksums" },
  );
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const name = context.commandName ?? "?";
      counts.sent.set(name, (counts.sent.get(name) ?? 0) + 1);
      const upload = name === "UploadPartCommand";
      if (upload) {
        counts.uploadsInFlight++;
        counts.maxUploadsInFlight = Math.max(counts.maxUploadsInFlight, counts.uploadsInFlight);
      }
      try {
        return await next(args);
      } finally {
        if (upload) counts.uploadsInFlight--;
      }
    },
    { step: "initialize", name: "countCommands" },
  );
  return counts;
}

export async function getObject(client: S3Client, location: string): Promise<Uint8Array> {
  const { bucket, key } = parseS3Location(location);
  const got = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return await got.Body!.transformToByteArray();
}

export async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return await promise.then(() => assert.fail("expected a rejection"), (error) => error);
}

export const payloads = defineTable("payloads", { id: int(), name: text(), payload: text() });

export function payloadRow(id: number): Row {
  // 64 hex digits from a cheap hash: text that neither repeats nor compresses much.
  let h = Math.imul(id + 1, 0x9e3779b1) >>> 0;
  let payload = "";
  for (let i = 0; i < 8; i++) {
    h = Math.imul(h ^ (h >>> 15), 0x85ebca6b) >>> 0;
    payload += h.toString(16).padStart(8, "0");
  }
  return { id, name: `row-${id}`, payload: payload.repeat(3) };
}
