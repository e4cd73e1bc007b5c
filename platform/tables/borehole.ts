import { date, geographyPoint, numeric, real, text, timestamptz, uuid } from "../../src/schema/columns.ts";
import { defineTable } from "../../src/schema/table.ts";
import { boreholeStatus } from "../enums.ts";

/** One hole drilled at a surveyed WGS 84 location, with ground level, planned and final depths and status. */
export const borehole = defineTable("borehole", {
  id: uuid(),
  project_id: uuid(),
  structure_id: uuid().nullable(),
  substructure_id: uuid().nullable(),
  borehole_number: text(),
  location: geographyPoint(),
  ground_level_m: numeric(8, 3).nullable(),
  planned_depth_m: numeric(7, 2),
  final_depth_m: numeric(7, 2).nullable(),
  coordinate_accuracy_m: real().nullable(),
  status: boreholeStatus,
  started_on: date().nullable(),
  completed_on: date().nullable(),
  created_by: uuid(),
  created_at: timestamptz(),
  updated_at: timestamptz(),
}, { primaryKey: ["id"], watermark: "updated_at" });
