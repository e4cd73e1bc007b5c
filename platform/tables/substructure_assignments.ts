import { timestamptz, uuid } from "../../src/schema/columns.ts";
import { defineTable } from "../../src/schema/table.ts";
import { userRole } from "../enums.ts";

/** Which user is assigned to which sub-structure, in which role, until revoked. */
export const substructureAssignments = defineTable("substructure_assignments", {
  id: uuid(),
  substructure_id: uuid(),
  user_id: uuid(),
  assigned_by: uuid(),
  role: userRole,
  assigned_at: timestamptz(),
  revoked_at: timestamptz().nullable(),
  updated_at: timestamptz(),
}, { primaryKey: ["id"], watermark: "updated_at" });
