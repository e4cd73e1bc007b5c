import { array, date, smallint, text, timestamptz, uuid } from "../../src/schema/columns.ts";
import { defineTable } from "../../src/schema/table.ts";
import { assignmentStatus } from "../enums.ts";

/** Which tests a lab engineer is to run on which sample, with priority and due date. */
export const labTestAssignments = defineTable("lab_test_assignments", {
  id: uuid(),
  sample_point_id: uuid(),
  borelog_id: uuid(),
  assigned_to: uuid(),
  assigned_by: uuid(),
  tests: array(text()),
  priority: smallint(),
  status: assignmentStatus,
  due_date: date().nullable(),
  assigned_at: timestamptz(),
  completed_at: timestamptz().nullable(),
  updated_at: timestamptz(),
}, { primaryKey: ["id"], watermark: "updated_at" });
