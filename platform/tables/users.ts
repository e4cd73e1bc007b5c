import { boolean, text, timestamptz, uuid } from "../../src/schema/columns.ts";
import { defineTable } from "../../src/schema/table.ts";
import { userRole } from "../enums.ts";

/** A person who signs in, belonging to one organisation, with one role. */
export const users = defineTable("users", {
  id: uuid(),
  organisation_id: uuid(),
  email: text(),
  full_name: text(),
  role: userRole,
  phone: text().nullable(),
  is_active: boolean(),
  last_login_at: timestamptz().nullable(),
  created_at: timestamptz(),
  updated_at: timestamptz(),
}, { primaryKey: ["id"], watermark: "updated_at" });
