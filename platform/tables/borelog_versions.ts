import { jsonb, smallint, text, timestamptz, uuid } from "../../src/schema/columns.ts";
import { defineTable } from "../../src/schema/table.ts";
import { borelogStatus } from "../enums.ts";

/** An immutable snapshot (jsonb) of a borelog at each version, with who changed what. */
export const borelogVersions = defineTable("borelog_versions", {
  id: uuid(),
  borelog_id: uuid(),
  version_no: smallint(),
  status: borelogStatus,
  snapshot: jsonb(),
  change_summary: text().nullable(),
  created_by: uuid(),
  created_at: timestamptz(),
}, { primaryKey: ["id"], watermark: "created_at" });
