/** Drift expectations of the newer kinds: a hand-written definition of every type matches the live table; a wrong kind, SRID or geography is drift. */

import assert from "node:assert/strict";
import { bytea, defineTable, geometry, int, interval, numeric, text, time, timetz } from "../mod.ts";
import { checkDrift } from "../postgres.ts";
import { withTable } from "./helpers/every_type.ts";

const texts = ["ip", "net", "mac", "x", "tsv", "o", "ci", "bits", "vb", "r", "tr", "c"];

/** every_type as its owner would declare it. */
const declared = defineTable("every_type", {
  id: int(),
  b: bytea().nullable(),
  g4326: geometry({ srid: 4326 }).nullable(),
  g3857: geometry({ srid: 3857 }).nullable(),
  gz4326: geometry({ srid: 4326 }).nullable(),
  gz3857: geometry({ srid: 3857 }).nullable(),
  poly: geometry({ srid: 4326 }).nullable(),
  geog: geometry({ geography: true }).nullable(),
  geoga: geometry({ geography: true, srid: 4326 }).nullable(),
  loose: geometry().nullable(),
  p3857: geometry({ srid: 3857 }).nullable(),
  pz4326: geometry({ srid: 4326 }).nullable(),
  t: time().nullable(),
  tz: timetz().nullable(),
  iv: interval().nullable(),
  m: numeric(19, 2).nullable(),
  ...Object.fromEntries(texts.map((name) => [name, text().nullable()])),
  n: numeric().nullable(),
}, { primaryKey: ["id"] });

Deno.test("drift: every type declared by hand matches the live table; a wrong kind, SRID or geography is drift", async () => {
  await withTable(async (sql, schema) => {
    const query = (text: string, params: unknown[]) => sql.unsafe(text, params as never[]);
    assert.deepEqual(await checkDrift(query, [declared], { schema }), []);
    const wrong = defineTable("every_type", {
      ...declared.columns,
      b: text().nullable(),
      g3857: geometry({ srid: 4326 }).nullable(),
      geog: geometry({ srid: 4326 }).nullable(),
      loose: geometry({ srid: 4326 }).nullable(),
      t: timetz().nullable(),
      iv: text().nullable(),
    }, { primaryKey: ["id"] });
    assert.deepEqual((await checkDrift(query, [wrong], { schema })).map((d) => d.message), [
      "every_type.b: type text expected, found bytea",
      "every_type.g3857: type geometry(Geometry,4326) expected, found geometry(Geometry,3857)",
      "every_type.geog: type geometry(Geometry,4326) expected, found geography(LineString,4326)",
      "every_type.loose: type geometry(Geometry,4326) expected, found geometry",
      "every_type.t: type time with time zone expected, found time without time zone",
      "every_type.iv: type text expected, found interval",
    ]);
  });
});
