import { date, timestamptz, uuid } from "../../src/schema/columns.ts";
import { defineTable } from "../../src/schema/table.ts";
import { assignmentStatus } from "../enums.ts";

/** Which site engineer is to log which borelog, by when, and how far they are. */
export const borelogAssignments = defineTable("borelog_assignments", {
  id: uuid(),
  borelog_id: uuid(),
  assigned_to: uuid(),
  assigned_by: uuid(),
  status: assignmentStatus,
  due_date: date().nullable(),
  assigned_at: timestamptz(),
  completed_at: timestamptz().nullable(),
  updated_at: timestamptz(),
}, { primaryKey: ["id"], watermark: "updated_at" });
