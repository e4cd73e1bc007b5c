import { boolean, numeric, real, smallint, text, timestamptz, uuid } from "../../src/schema/columns.ts";
import { defineTable } from "../../src/schema/table.ts";

/** The soil and rock layers of a borelog version, top to bottom, non-overlapping, with description, SPT N, recovery and RQD. */
export const stratumLayers = defineTable("stratum_layers", {
  id: uuid(),
  borelog_id: uuid(),
  version_no: smallint(),
  layer_no: smallint(),
  depth_from_m: numeric(7, 2),
  depth_to_m: numeric(7, 2),
  thickness_m: numeric(7, 2).nullable(),
  description: text(),
  soil_classification: text().nullable(),
  colour: text().nullable(),
  spt_n_value: smallint().nullable(),
  core_recovery_pct: real().nullable(),
  rqd_pct: real().nullable(),
  is_water_strike: boolean(),
  updated_at: timestamptz(),
}, { primaryKey: ["id"], watermark: "updated_at" });
