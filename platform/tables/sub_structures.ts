import { smallint, text, timestamptz, uuid } from "../../src/schema/columns.ts";
import { defineTable } from "../../src/schema/table.ts";

/** A part of a structure (pier, abutment, foundation, wing wall) that boreholes are drilled for. */
export const subStructures = defineTable("sub_structures", {
  id: uuid(),
  structure_id: uuid(),
  project_id: uuid(),
  name: text(),
  type: text(),
  sequence: smallint(),
  created_at: timestamptz(),
  updated_at: timestamptz(),
}, { primaryKey: ["id"], watermark: "updated_at" });
