import { text, timestamptz, uuid } from "../../src/schema/columns.ts";
import { defineTable } from "../../src/schema/table.ts";

/** A paying client of the platform: the company that commissions site investigations. */
export const customers = defineTable("customers", {
  id: uuid(),
  name: text(),
  registration_number: text().nullable(),
  billing_address: text().nullable(),
  country_code: text(),
  created_at: timestamptz(),
  updated_at: timestamptz(),
}, { primaryKey: ["id"], watermark: "updated_at" });
