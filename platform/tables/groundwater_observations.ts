import { bigint, boolean, numeric, text, timestamp, uuid } from "../../src/schema/columns.ts";
import { defineTable } from "../../src/schema/table.ts";

/** Water levels read in a borehole over time (site local time); dry readings have no depth. */
export const groundwaterObservations = defineTable("groundwater_observations", {
  id: bigint(),
  borehole_id: uuid(),
  observed_at: timestamp(),
  borehole_depth_m: numeric(7, 2),
  casing_depth_m: numeric(7, 2).nullable(),
  is_dry: boolean(),
  depth_to_water_m: numeric(6, 2).nullable(),
  remarks: text().nullable(),
}, { primaryKey: ["id"], watermark: "id" });
