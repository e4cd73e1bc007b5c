import { array, date, numeric, text, timestamptz, uuid } from "../../src/schema/columns.ts";
import { defineTable } from "../../src/schema/table.ts";
import { projectStatus } from "../enums.ts";

/** A site investigation commissioned by a customer and run by an organisation; tagged, with dates and contract value. */
export const projects = defineTable("projects", {
  id: uuid(),
  customer_id: uuid(),
  organisation_id: uuid(),
  code: text(),
  name: text(),
  description: text().nullable(),
  status: projectStatus,
  location: text().nullable(),
  start_date: date(),
  end_date: date().nullable(),
  contract_value: numeric(20, 2).nullable(),
  tags: array(text()),
  created_by: uuid(),
  created_at: timestamptz(),
  updated_at: timestamptz(),
}, { primaryKey: ["id"], watermark: "updated_at" });
