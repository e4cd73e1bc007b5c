import {
  float,
  numeric,
  real,
  smallint,
  text,
  timestamp,
  timestamptz,
  uuid,
} from "../../src/schema/columns.ts";
import { defineTable } from "../../src/schema/table.ts";

/** Rock test results per sample: UCS, point load index, modulus, Poisson's ratio, porosity, slake durability. */
export const rockTestSamples = defineTable("rock_test_samples", {
  id: uuid(),
  report_id: uuid(),
  sample_point_id: uuid(),
  rock_type: text(),
  ucs_mpa: numeric(7, 2).nullable(),
  point_load_index_mpa: numeric(6, 3).nullable(),
  youngs_modulus_gpa: float().nullable(),
  poissons_ratio: real().nullable(),
  porosity_pct: numeric(5, 2).nullable(),
  water_absorption_pct: numeric(5, 2).nullable(),
  slake_durability_cycles: smallint().nullable(),
  tested_at: timestamp().nullable(),
  updated_at: timestamptz(),
}, { primaryKey: ["id"], watermark: "updated_at" });
