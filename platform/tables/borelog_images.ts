import { bigint, int, numeric, text, timestamp, timestamptz, uuid } from "../../src/schema/columns.ts";
import { defineTable } from "../../src/schema/table.ts";

/** Photographs attached to a borelog (core boxes, the site), with depth range and image metadata. */
export const borelogImages = defineTable("borelog_images", {
  id: uuid(),
  borelog_id: uuid(),
  depth_from_m: numeric(7, 2).nullable(),
  depth_to_m: numeric(7, 2).nullable(),
  caption: text().nullable(),
  storage_key: text(),
  content_type: text(),
  size_bytes: bigint(),
  width_px: int().nullable(),
  height_px: int().nullable(),
  taken_at: timestamp().nullable(),
  uploaded_by: uuid(),
  uploaded_at: timestamptz(),
}, { primaryKey: ["id"], watermark: "uploaded_at" });
