/** The SQL text a row read selects: quoted identifiers and each kind's canonical form. */

import assert from "node:assert/strict";
import { array, bigint, date, geographyPoint, int, text, timestamptz } from "../mod.ts";
import { readExpression } from "../postgres.ts";

Deno.test("readExpression: quotes identifiers and picks the canonical form per kind", () => {
  assert.equal(readExpression('we"ird', text().spec), `"we""ird"::text`);
  assert.equal(readExpression("n", int().spec), `"n"`);
  assert.equal(readExpression("d", date().spec), `(to_jsonb("d") #>> '{}')`);
  assert.equal(readExpression("a", array(bigint()).spec), `to_jsonb("a"::text[])`);
  assert.equal(readExpression("a", array(timestamptz()).spec), `to_jsonb("a")`);
  assert.match(readExpression("p", geographyPoint().spec), /ST_Transform\("p"::geometry, 4326\)/);
});
