import {
  array,
  geographyPoint,
  int,
  numeric,
  smallint,
  text,
  timestamptz,
  uuid,
} from "../../src/schema/columns.ts";
import { defineTable } from "../../src/schema/table.ts";
import { sampleType } from "../enums.ts";

/** Samples taken within a stratum layer: code, type, depth, location and SPT blow counts. */
export const stratumSamplePoints = defineTable("stratum_sample_points", {
  id: uuid(),
  stratum_layer_id: uuid(),
  borelog_id: uuid(),
  sample_code: text(),
  sample_type: sampleType,
  depth_m: numeric(7, 2),
  location: geographyPoint(),
  blow_counts: array(smallint()).nullable(),
  recovery_mm: int().nullable(),
  collected_at: timestamptz(),
  updated_at: timestamptz(),
}, { primaryKey: ["id"], watermark: "updated_at" });
