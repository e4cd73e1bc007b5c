import { boolean, text, timestamptz, uuid } from "../../src/schema/columns.ts";
import { defineTable } from "../../src/schema/table.ts";

/** A named person at a customer, for correspondence (not a user). */
export const contacts = defineTable("contacts", {
  id: uuid(),
  customer_id: uuid(),
  name: text(),
  email: text().nullable(),
  phone: text().nullable(),
  job_title: text().nullable(),
  is_primary: boolean(),
  created_at: timestamptz(),
  updated_at: timestamptz(),
}, { primaryKey: ["id"], watermark: "updated_at" });
