import { date, timestamptz, uuid } from "../../src/schema/columns.ts";
import { defineTable } from "../../src/schema/table.ts";
import { userRole } from "../enums.ts";

/** Who works on which project, in which role, from when until when. */
export const projectMembers = defineTable("project_members", {
  project_id: uuid(),
  user_id: uuid(),
  role: userRole,
  joined_on: date(),
  left_on: date().nullable(),
  updated_at: timestamptz(),
}, { primaryKey: ["project_id", "user_id"], watermark: "updated_at" });
