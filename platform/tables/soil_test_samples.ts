import { jsonb, numeric, timestamp, timestamptz, uuid } from "../../src/schema/columns.ts";
import { defineTable } from "../../src/schema/table.ts";

/** Soil test results per sample: moisture, Atterberg limits, densities, grading, strength, permeability. */
export const soilTestSamples = defineTable("soil_test_samples", {
  id: uuid(),
  report_id: uuid(),
  sample_point_id: uuid(),
  moisture_content_pct: numeric(5, 2).nullable(),
  liquid_limit_pct: numeric(5, 2).nullable(),
  plastic_limit_pct: numeric(5, 2).nullable(),
  plasticity_index_pct: numeric(5, 2).nullable(),
  bulk_density_mg_m3: numeric(5, 3).nullable(),
  dry_density_mg_m3: numeric(5, 3).nullable(),
  specific_gravity: numeric(4, 3).nullable(),
  gravel_pct: numeric(5, 2).nullable(),
  sand_pct: numeric(5, 2).nullable(),
  fines_pct: numeric(5, 2).nullable(),
  cohesion_kpa: numeric(7, 2).nullable(),
  friction_angle_deg: numeric(4, 1).nullable(),
  permeability_m_s: numeric().nullable(),
  particle_size_distribution: jsonb().nullable(),
  tested_at: timestamp().nullable(),
  updated_at: timestamptz(),
}, { primaryKey: ["id"], watermark: "updated_at" });
