import { smallint, text, timestamptz, uuid } from "../../src/schema/columns.ts";
import { defineTable } from "../../src/schema/table.ts";
import { borelogStatus } from "../enums.ts";

/** Each submission of a borelog version for review, and the reviewer's outcome. */
export const borelogSubmissions = defineTable("borelog_submissions", {
  id: uuid(),
  borelog_id: uuid(),
  version_no: smallint(),
  status: borelogStatus,
  submitted_by: uuid(),
  submitted_at: timestamptz(),
  reviewer_id: uuid().nullable(),
  reviewed_at: timestamptz().nullable(),
  review_comments: text().nullable(),
  updated_at: timestamptz(),
}, { primaryKey: ["id"], watermark: "updated_at" });
