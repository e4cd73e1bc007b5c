import assert from "node:assert/strict";
import * as v from "valibot";
import {
  array,
  bigint,
  boolean,
  date,
  defineTable,
  float,
  geographyPoint,
  int,
  jsonb,
  numeric,
  PartitionStream,
  type Row,
  SchemaError,
  text,
  timestamp,
  timestamptz,
  uuid,
  ValidationError,
} from "../mod.ts";
import type { Columns } from "../schema.ts";
import {
  escapePartitionValue,
  HIVE_NULL,
  parsePartitionSegment,
  partitionSegment,
  unescapePartitionValue,
} from "../src/schema/partition_path.ts";
import { parsePartitionBy, partitionValue } from "../src/schema/partition_key.ts";

const TRICKY = [
  "a/b",
  "a=b",
  "50%",
  "%2F",
  "x y",
  " leading and trailing ",
  "Zürich 🦆 日本",
  "",
  ".",
  "..",
  "../../etc",
  ".hidden",
  "_underscore",
  "NULL",
  "null",
  "Null",
  HIVE_NULL,
  '#?&:*"<>|\\',
  "+plus+",
  "tab\tnewline\n",
  "~'quote'!()$@,;[]{}^`",
];

Deno.test("escaping round-trips every ASCII character and tricky strings, as one safe segment", () => {
  const ascii = Array.from({ length: 128 }, (_, i) => String.fromCharCode(i));
  for (const value of [...TRICKY, ...ascii, ascii.join("")]) {
    const escaped = escapePartitionValue(value);
    assert.equal(unescapePartitionValue(escaped), value, JSON.stringify(value));
    // Only letters, digits, - _ . and %XX stay in ASCII; non-ASCII is kept as UTF-8.
    assert.match(escaped, /^(?:[A-Za-z0-9\-_.]|%[0-9A-F]{2}|[^\p{ASCII}])*$/u, JSON.stringify(value));
    const segment = partitionSegment("key", value);
    assert.ok(!segment.includes("/") && segment.indexOf("=") === 3, segment);
    assert.deepEqual(parsePartitionSegment(segment), { key: "key", value });
  }
});

Deno.test("null, the empty string and strings that look like null are told apart", () => {
  assert.equal(partitionSegment("k", null), "k=__HIVE_DEFAULT_PARTITION__");
  assert.equal(partitionSegment("k", ""), "k=");
  assert.equal(partitionSegment("k", "NULL"), "k=%4EULL");
  assert.equal(partitionSegment("k", "null"), "k=%6Eull");
  assert.equal(partitionSegment("k", HIVE_NULL), "k=%5F_HIVE_DEFAULT_PARTITION__");
  const values = [null, "", "NULL", "null", HIVE_NULL].map((value) => partitionSegment("k", value));
  assert.equal(new Set(values).size, 5);
  assert.equal(unescapePartitionValue("__HIVE_DEFAULT_PARTITION__"), null);
});

Deno.test("decoding is Hive's: any %XX, lowercase too; a stray % stays", () => {
  assert.equal(unescapePartitionValue("a%2fb"), "a/b");
  assert.equal(unescapePartitionValue("100%"), "100%");
  assert.equal(unescapePartitionValue("%zz%2"), "%zz%2");
});

const events = defineTable("events", {
  id: int(),
  project_id: bigint(),
  status: text().nullable(),
  done: boolean(),
  amount: numeric(10, 2),
  score: float(),
  day: date(),
  created_at: timestamptz(),
  local_at: timestamp().nullable(),
  ref: uuid(),
  payload: jsonb(),
  tags: array(text()),
  location: geographyPoint(),
}, { primaryKey: ["project_id", "id"] });

const event = v.parse(events, {
  id: 1,
  project_id: 9007199254740993n,
  status: "on hold",
  done: true,
  amount: "12.5",
  score: -0,
  day: "2026-02-28",
  created_at: "2026-11-30 23:30:00.25-02:00",
  local_at: "2026-11-30 23:30:00.25",
  ref: "8E0F4B9A-2C1D-4E5F-8A9B-0C1D2E3F4A5B",
  payload: { a: 1 },
  tags: ["x"],
  location: { latitude: 1, longitude: 2 },
}) as Row;

async function route(partitionBy: string[], rows: Row[] = [event]) {
  const stream = new PartitionStream(events, partitionBy);
  return { stream, routed: await Array.fromAsync(ReadableStream.from(rows).pipeThrough(stream)) };
}

Deno.test("keys nest in order, values have stable text, and partition columns leave the row", async () => {
  const { stream, routed } = await route(["project_id", "status", "done", "amount", "score", "ref"]);
  assert.equal(
    routed[0].path,
    "project_id=9007199254740993/status=on%20hold/done=true/amount=12.50/score=-0/" +
      "ref=8e0f4b9a-2c1d-4e5f-8a9b-0c1d2e3f4a5b",
  );
  assert.deepEqual(routed[0].values.project_id, "9007199254740993");
  assert.deepEqual(Object.keys(routed[0].row), [
    "id",
    "day",
    "created_at",
    "local_at",
    "payload",
    "tags",
    "location",
  ]);
  assert.deepEqual(Object.keys(stream.fileTable.columns), Object.keys(routed[0].row));
  assert.deepEqual(stream.fileTable.primaryKey, ["id"]);
});

Deno.test("time keys: year, month, day, hour, in UTC for timestamptz; the source column stays", async () => {
  const { routed } = await route([
    "created_at:year",
    "created_at:month",
    "created_at:day",
    "created_at:hour",
    "local_at:hour",
    "day:month",
  ]);
  assert.equal(
    routed[0].path,
    "created_at_year=2026/created_at_month=2026-12/created_at_day=2026-12-01/created_at_hour=2026-12-01T01/" +
      "local_at_hour=2026-11-30T23/day_month=2026-02",
  );
  assert.equal(routed[0].row.created_at, "2026-12-01T01:30:00.250000Z");
  const { routed: nulls } = await route(["local_at:day", "status"], [{
    ...event,
    local_at: null,
    status: "",
  }]);
  assert.equal(nulls[0].path, "local_at_day=__HIVE_DEFAULT_PARTITION__/status=");
});

Deno.test("partition values read back to their column types", () => {
  const keys = parsePartitionBy(events, ["project_id", "done", "amount", "score", "day", "created_at"]);
  const back = (name: string, text: string | null) => {
    const key = keys.find((k) => k.name === name)!;
    return partitionValue(key, text, (events.columns as Columns)[key.column].schema);
  };
  assert.equal(back("project_id", "9007199254740993"), 9007199254740993n);
  assert.equal(back("done", "false"), false);
  assert.equal(back("amount", "12.50"), "12.50");
  assert.ok(Object.is(back("score", "-0"), -0));
  assert.equal(back("day", "2026-02-28"), "2026-02-28");
  assert.equal(back("created_at", "2026-12-01T01:30:00.250000Z"), "2026-12-01T01:30:00.250000Z");
  assert.equal(back("project_id", null), null);
  assert.throws(() => back("project_id", "abc"), /Cannot read the partition value "abc" as bigint/);
  assert.throws(() => back("score", "abc"), /as float/);
});

Deno.test("bad keys are refused when the stream is built, naming table and column", () => {
  const refuse = (partitionBy: unknown, pattern: RegExp, column?: string) => {
    assert.throws(
      () => new PartitionStream(events, partitionBy as string[]),
      (error: unknown) =>
        error instanceof SchemaError && pattern.test(error.message) && error.column === column,
      JSON.stringify(partitionBy),
    );
  };
  refuse(["nope"], /Cannot partition by "nope": the table has no such column/, "nope");
  refuse(["payload"], /Cannot partition by a jsonb column/, "payload");
  refuse(["tags"], /Cannot partition by a array column/, "tags");
  refuse(["location"], /Cannot partition by a point column/, "location");
  refuse(["status:month"], /Cannot partition a text column by month/, "status");
  refuse(["day:hour"], /a date has no hour/, "day");
  refuse(["created_at:week"], /expected "column" or "column:year\|month\|day\|hour"/, "created_at");
  refuse(["status", "status"], /Cannot partition by status twice/, "status");
  refuse([], /partitionBy must be a non-empty array/);
  refuse(undefined, /partitionBy must be a non-empty array/);
  const small = defineTable("small", { a: int(), b: text(), b_day: text(), at: date() });
  assert.throws(
    () => new PartitionStream(small, ["a", "b", "b_day", "at"]),
    /Cannot partition by every column/,
  );
  const clash = defineTable("clash", { at: date(), at_day: text() });
  assert.throws(() => new PartitionStream(clash, ["at:day"]), /its folder key at_day is also a column/);
});

Deno.test("a value with no folder name is a ValidationError naming row and column", async () => {
  const long = { ...event, status: "x".repeat(250) };
  await assert.rejects(
    route(["status"], [event, long]),
    (error: unknown) =>
      error instanceof ValidationError && error.row === 2 && error.column === "status" &&
      /more than the 255 filesystems allow/.test(error.message),
  );
  await assert.rejects(
    route(["status"], [{ ...event, status: "\uD800" }]),
    (error: unknown) => error instanceof ValidationError && /unpaired surrogate/.test(error.message),
  );
});
