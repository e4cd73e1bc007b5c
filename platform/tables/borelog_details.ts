import {
  array,
  date,
  int,
  numeric,
  smallint,
  text,
  timestamp,
  timestamptz,
  uuid,
} from "../../src/schema/columns.ts";
import { defineTable } from "../../src/schema/table.ts";

/** The header fields of each borelog version: job code, chainage, hole diameter, dates, water level, termination depth. */
export const borelogDetails = defineTable("borelog_details", {
  id: uuid(),
  borelog_id: uuid(),
  version_no: smallint(),
  job_code: text().nullable(),
  chainage_km: numeric(9, 3).nullable(),
  msl_m: numeric(8, 3).nullable(),
  diameter_of_hole_mm: int(),
  commencement_date: date(),
  completion_date: date().nullable(),
  standing_water_level_m: numeric(6, 2).nullable(),
  termination_depth_m: numeric(7, 2).nullable(),
  logged_on: timestamp(),
  remarks: text().nullable(),
  lab_tests_requested: array(text()),
  created_at: timestamptz(),
  updated_at: timestamptz(),
}, { primaryKey: ["id"], watermark: "updated_at" });
