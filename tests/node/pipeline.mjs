// A Node.js program using the library: a Node Readable of rows → validate → encode → local sink.
// The test passes the bundled library's path and an output folder as arguments.
import { Readable } from "node:stream";

const [library, folder] = process.argv.slice(2);
const {
  defineTable,
  EncodeStream,
  int,
  jsonb,
  LocalFileSink,
  numeric,
  parquetFileName,
  readParquet,
  text,
  timestamptz,
  ValidateStream,
} = await import(library);

const readings = defineTable("readings", {
  id: int(),
  label: text(),
  value: numeric(10, 3),
  taken_at: timestamptz(),
  extra: jsonb().nullable(),
});

function* rows() {
  for (let i = 0; i < 5000; i++) {
    yield {
      id: i,
      label: `r-${i} ü`,
      value: (i / 7).toFixed(3),
      taken_at: new Date(Date.UTC(2026, 0, 1, 0, 0, i)),
      extra: i % 2 ? { i } : null,
    };
  }
}

const path = `${folder}/${parquetFileName("readings")}`;
await Readable.toWeb(Readable.from(rows()))
  .pipeThrough(new ValidateStream(readings))
  .pipeThrough(new EncodeStream(readings, { rowGroupSize: 1000 }))
  .pipeTo(new LocalFileSink(path));

const back = await readParquet(path);
process.stdout.write(JSON.stringify({ path, node: process.version, rows: back }));
