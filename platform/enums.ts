/**
 * The platform's PostgreSQL enum types, as columns. Labels and order match `CREATE TYPE` in ddl.sql; the
 * drift check compares them with `pg_enum`.
 *
 * @module
 */

import { enumOf } from "../src/schema/columns.ts";

/** What an organisation is to a project. */
export const organisationKind = enumOf("organisation_kind", [
  "client",
  "consultant",
  "contractor",
  "laboratory",
]);

/** What a user may do. */
export const userRole = enumOf("user_role", [
  "admin",
  "project_manager",
  "site_engineer",
  "logger",
  "lab_engineer",
  "approval_engineer",
  "customer",
]);

/** Where a project is in its life. */
export const projectStatus = enumOf("project_status", [
  "planned",
  "active",
  "on_hold",
  "completed",
  "archived",
]);

/** What is being built where the boreholes are drilled. */
export const structureType = enumOf("structure_type", [
  "bridge",
  "viaduct",
  "culvert",
  "embankment",
  "retaining_wall",
  "building",
  "tunnel",
  "other",
]);

/** Where a borehole is on site. */
export const boreholeStatus = enumOf("borehole_status", ["planned", "drilling", "completed", "abandoned"]);

/** How the hole was advanced. */
export const boringMethod = enumOf("boring_method", [
  "cable_percussion",
  "rotary_core",
  "rotary_open_hole",
  "window_sample",
  "hand_auger",
  "trial_pit",
]);

/** Where a borelog (or one of its versions) is in review. */
export const borelogStatus = enumOf("borelog_status", [
  "draft",
  "submitted",
  "under_review",
  "approved",
  "rejected",
]);

/** Progress of an assigned piece of work. */
export const assignmentStatus = enumOf("assignment_status", [
  "assigned",
  "in_progress",
  "completed",
  "cancelled",
]);

/** How a sample was taken. */
export const sampleType = enumOf("sample_type", [
  "disturbed",
  "bulk",
  "undisturbed_u100",
  "spt",
  "core",
  "water",
]);

/** Where a lab report is in review. */
export const labReportStatus = enumOf("lab_report_status", ["draft", "submitted", "approved", "rejected"]);

/** Where a CSV upload is between arrival and import. */
export const uploadStatus = enumOf("upload_status", [
  "pending",
  "validated",
  "failed",
  "imported",
  "discarded",
]);

/** An approver's decision. */
export const approvalDecision = enumOf("approval_decision", ["pending", "approved", "rejected", "returned"]);
