import { smallint, timestamptz, uuid } from "../../src/schema/columns.ts";
import { defineTable } from "../../src/schema/table.ts";
import { borelogStatus, boringMethod } from "../enums.ts";

/** The log of a borehole: boring method, review status and its current version (the prototype's name, kept). */
export const boreloge = defineTable("boreloge", {
  id: uuid(),
  borehole_id: uuid(),
  project_id: uuid(),
  substructure_id: uuid().nullable(),
  boring_method: boringMethod,
  status: borelogStatus,
  current_version: smallint(),
  created_by: uuid(),
  created_at: timestamptz(),
  updated_at: timestamptz(),
}, { primaryKey: ["id"], watermark: "updated_at" });
