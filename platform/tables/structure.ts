import { numeric, text, timestamptz, uuid } from "../../src/schema/columns.ts";
import { defineTable } from "../../src/schema/table.ts";
import { structureType } from "../enums.ts";

/** A structure the investigation serves (bridge, culvert, embankment, …), located by chainage along the project. */
export const structure = defineTable("structure", {
  id: uuid(),
  project_id: uuid(),
  name: text(),
  type: structureType,
  chainage_km: numeric(9, 3).nullable(),
  description: text().nullable(),
  created_at: timestamptz(),
  updated_at: timestamptz(),
}, { primaryKey: ["id"], watermark: "updated_at" });
