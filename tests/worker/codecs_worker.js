// A Worker for tests/worker_test.ts: every codec through writeParquet (checksum and S3 sink included) and
// back, a multipart upload, and writes that must fail cleanly rather than hang.
import { defineTable, EncodeStream, int, readParquet, text, writeParquet } from "@parquet-storage/engine";
import { CODECS } from "@parquet-storage/engine/write";
import { S3Sink } from "@parquet-storage/engine/s3";

const table = defineTable("t", { id: int(), name: text() });
const rows = Array.from({ length: 500 }, (_, i) => ({ id: i, name: `n${i % 5}` }));

async function outcome(work) {
  const started = Date.now();
  try {
    return { ...await work(), ms: Date.now() - started };
  } catch (error) {
    return { error: `${error.name}: ${error.message}`, ms: Date.now() - started };
  }
}

export default {
  async fetch(_request, env) {
    const s3 = {
      endpoint: env.S3_ENDPOINT,
      region: env.S3_REGION,
      credentials: { accessKeyId: env.S3_ACCESS_KEY_ID, secretAccessKey: env.S3_SECRET_ACCESS_KEY },
    };
    const out = {};
    for (const codec of CODECS) {
      out[codec] = await outcome(async () => {
        const written = await writeParquet(`s3://${env.BUCKET}/codecs`, rows, {
          table,
          codec,
          s3,
          checksum: true,
        });
        const back = await readParquet(written.location, { s3 });
        return { location: written.location, sha256: written.sha256, rows: back.length, last: back.at(-1) };
      });
    }
    // Over one part: CreateMultipartUpload, parts with MD5, CompleteMultipartUpload.
    out.multipart = await outcome(async () => {
      const noise = (i) => `${i}:${crypto.randomUUID()}${crypto.randomUUID()}${crypto.randomUUID()}`;
      const big = Array.from({ length: 60_000 }, (_, i) => ({ id: i, name: noise(i) }));
      const location = `s3://${env.BUCKET}/multipart/big.parquet`;
      const sink = new S3Sink(location, { ...s3, partSize: 5 * 1024 * 1024 });
      await ReadableStream.from(big).pipeThrough(new EncodeStream(table, { codec: "UNCOMPRESSED" })).pipeTo(
        sink,
      );
      const back = await readParquet(location, { s3, columns: ["id"], filters: { id: 59_999 } });
      return { location, bytes: sink.bytesWritten, rows: back };
    });
    // A failure inside the sink rejects the write, whatever the codec: a bucket that does not exist.
    for (const codec of ["GZIP", "UNCOMPRESSED"]) {
      out[`missing bucket ${codec}`] = await outcome(() =>
        writeParquet(`s3://missing-${crypto.randomUUID().slice(0, 8)}/x`, rows, { table, codec, s3 })
      );
    }
    // And an endpoint nobody listens on, and credentials the store refuses: a rejection, not a hang.
    for (const codec of ["GZIP", "UNCOMPRESSED"]) {
      out[`bad endpoint ${codec}`] = await outcome(() =>
        writeParquet(`s3://${env.BUCKET}/bad-endpoint`, rows, {
          table,
          codec,
          s3: { ...s3, endpoint: "http://127.0.0.1:9" },
        })
      );
    }
    out["bad credentials"] = await outcome(() =>
      writeParquet(`s3://${env.BUCKET}/bad-credentials`, rows, {
        table,
        s3: { ...s3, credentials: { accessKeyId: "nobody", secretAccessKey: "wrong" } },
      })
    );
    return Response.json(out);
  },
};
