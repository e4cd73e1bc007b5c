/**
 * Sample rows of the Workflow group: CSV uploads and their audit trail, sub-structure assignments,
 * approvals and notifications.
 *
 * @module
 */

import type { Row } from "../../src/schema/table.ts";
import { borelog } from "./generate_boreholes.ts";
import { report } from "./generate_lab.ts";
import { DAY, type Facts, HOUR, K, ROLES, T0, tz } from "./facts.ts";
import { NOTIFICATION_KINDS } from "./vocabulary.ts";

const UPLOAD_STEPS: Record<string, string[]> = {
  pending: ["uploaded"],
  validated: ["uploaded", "validated"],
  failed: ["uploaded", "validation_failed"],
  imported: ["uploaded", "validated", "approved", "imported"],
  discarded: ["uploaded", "validated", "discarded"],
};

interface Upload {
  project: number;
  subStructure: number | null;
  status: string;
  total: number;
  valid: number;
  at: bigint;
  fileType: "borelog" | "lab_report";
}

function upload(x: Facts, i: number): Upload {
  let f = x.rng([K.pending_csv_uploads, i, 1]);
  const subStructure = f.datatype.boolean({ probability: 0.7 }) ? f.number.int(x.n - 1) : null;
  const pick = f.number.int(x.n - 1);
  const project = subStructure === null ? pick : x.structureProject(x.subStructureStructure(subStructure));
  const start = x.projectFacts(project).startMicros;
  f = x.rng([K.pending_csv_uploads, i, 2]);
  const status = f.helpers.weightedArrayElement([
    { value: "imported", weight: 45 },
    { value: "pending", weight: 20 },
    { value: "validated", weight: 15 },
    { value: "failed", weight: 15 },
    { value: "discarded", weight: 5 },
  ]);
  const total = f.number.int({ min: 5, max: 500 });
  return {
    project,
    subStructure,
    status,
    total,
    valid: status === "failed" ? f.number.int({ max: total - 1 }) : total,
    at: start + BigInt(f.number.int({ min: 5, max: 300 })) * DAY +
      BigInt(f.number.int({ min: 7, max: 18 })) * HOUR,
    fileType: f.helpers.arrayElement(["borelog", "lab_report"] as const),
  };
}

function* pendingCsvUploads(x: Facts): Iterable<Row> {
  for (let i = 0; i < x.n; i++) {
    const up = upload(x, i);
    const f = x.rng([K.pending_csv_uploads, i]);
    const processed = up.status === "pending"
      ? null
      : up.at + BigInt(f.number.int({ min: 1, max: 48 })) * HOUR;
    const errors = Array.from({ length: Math.min(up.total - up.valid, 5) }, (_, k) => ({
      row: f.number.int({ min: 2, max: up.total + 1 }),
      column: f.helpers.arrayElement(["depth_to_m", "description", "sample_code", "chainage_km"]),
      message: k === 0 ? "depth_to_m must be greater than depth_from_m" : "value is required",
    }));
    yield {
      id: x.id(K.pending_csv_uploads, i),
      project_id: x.id(K.projects, up.project),
      substructure_id: up.subStructure === null ? null : x.id(K.sub_structures, up.subStructure),
      uploaded_by: x.id(K.users, x.userOfRole(2, i)),
      file_name: `${up.fileType === "borelog" ? "borelog" : "lab_results"}_${f.string.alphanumeric(6)}.csv`,
      file_type: up.fileType,
      status: up.status,
      total_records: up.total,
      valid_records: up.valid,
      errors,
      parsed_rows: up.status === "failed" || up.status === "discarded" ? null : [
        { layer_no: 1, depth_from_m: "0.00", depth_to_m: "0.60", description: "MADE GROUND" },
        { layer_no: 2, depth_from_m: "0.60", depth_to_m: "2.10", description: "Firm brown CLAY" },
      ],
      uploaded_at: tz(up.at),
      processed_at: processed === null ? null : tz(processed),
      updated_at: tz(processed ?? up.at),
    };
  }
}

function* substructureAssignments(x: Facts): Iterable<Row> {
  for (let i = 0; i < x.n; i++) {
    const ss = i % x.n;
    const start = x.projectFacts(x.structureProject(x.subStructureStructure(ss))).startMicros;
    const f = x.rng([K.substructure_assignments, i]);
    const user = x.userOfRole(f.helpers.arrayElement([2, 3]), i);
    const assigned = start + BigInt(f.number.int({ max: 30 })) * DAY + 9n * HOUR;
    const revoked = f.datatype.boolean({ probability: 0.15 })
      ? assigned + BigInt(f.number.int({ min: 7, max: 200 })) * DAY
      : null;
    yield {
      id: x.id(K.substructure_assignments, i),
      substructure_id: x.id(K.sub_structures, ss),
      user_id: x.id(K.users, user),
      assigned_by: x.id(K.users, x.userOfRole(1, i)),
      role: ROLES[user % ROLES.length],
      assigned_at: tz(assigned),
      revoked_at: revoked === null ? null : tz(revoked),
      updated_at: tz(revoked ?? assigned),
    };
  }
}

const DECISIONS: Record<string, string> = {
  approved: "approved",
  rejected: "rejected",
  submitted: "pending",
  under_review: "pending",
  draft: "pending",
};

function* approvals(x: Facts): Iterable<Row> {
  for (let i = 0; i < x.n; i++) {
    const target = x.rng([K.approvals, i, 1]).number.int(x.n - 1);
    const borelogTarget = i % 2 === 0;
    const { versions, times } = borelogTarget
      ? (({ versions, versionTimes }) => ({ versions, times: versionTimes }))(borelog(x, target))
      : (({ versions, versionTimes }) => ({ versions, times: versionTimes }))(report(x, target));
    const f = x.rng([K.approvals, i]);
    const k = f.number.int({ min: 1, max: versions.length });
    const decision = DECISIONS[versions[k - 1]] === "rejected" && f.datatype.boolean()
      ? "returned"
      : DECISIONS[versions[k - 1]];
    const requested = times[k - 1] + BigInt(f.number.int({ min: 1, max: 24 })) * HOUR;
    const decided = decision === "pending"
      ? null
      : requested + BigInt(f.number.int({ min: 1, max: 120 })) * HOUR;
    yield {
      id: x.id(K.approvals, i),
      entity_type: borelogTarget ? "borelog" : "lab_report",
      entity_id: x.id(borelogTarget ? K.boreloge : K.unified_lab_reports, target),
      version_no: k,
      approver_id: x.id(K.users, x.userOfRole(5, i)),
      decision,
      comments: decision === "pending"
        ? null
        : f.helpers.maybe(() => f.lorem.sentence(), { probability: 0.5 }) ?? null,
      requested_at: tz(requested),
      decided_at: decided === null ? null : tz(decided),
      updated_at: tz(decided ?? requested),
    };
  }
}

function* csvUploadAudit(x: Facts): Iterable<Row> {
  let id = 0n;
  for (let i = 0; i < x.n; i++) {
    const up = upload(x, i);
    const f = x.rng([K.csv_upload_audit, i]);
    let at = up.at;
    for (const action of UPLOAD_STEPS[up.status]) {
      yield {
        id: ++id,
        upload_id: x.id(K.pending_csv_uploads, i),
        action,
        actor_id: x.id(K.users, action === "approved" ? x.userOfRole(5, i) : x.userOfRole(2, i)),
        row_count: action === "uploaded" ? up.total : action === "imported" ? up.valid : null,
        details: action === "validation_failed"
          ? { errors: up.total - up.valid, first_error: "depth_to_m must be greater than depth_from_m" }
          : action === "imported"
          ? {
            tables: up.fileType === "borelog"
              ? ["stratum_layers", "stratum_sample_points"]
              : ["soil_test_samples"],
          }
          : null,
        occurred_at: tz(at),
      };
      at += BigInt(f.number.int({ min: 1, max: 7_200_000_000 }));
    }
  }
}

function* notifications(x: Facts): Iterable<Row> {
  for (let i = 0; i < x.n; i++) {
    const f = x.rng([K.notifications, i]);
    const kind = f.helpers.arrayElement(NOTIFICATION_KINDS);
    const target = f.number.int(x.n - 1);
    const created = T0 + BigInt(f.number.int({ min: 30, max: 900 })) * DAY +
      BigInt(f.number.int(86_399_999_999));
    const aboutReport = kind === "lab_report_ready";
    const link = aboutReport
      ? `/lab-reports/${x.id(K.unified_lab_reports, target)}`
      : `/borelogs/${x.id(K.boreloge, target)}`;
    yield {
      id: BigInt(i + 1),
      user_id: x.id(K.users, f.number.int(x.n - 1)),
      kind,
      title: kind.replaceAll("_", " ").replace(/^./, (c) => c.toUpperCase()),
      body: f.helpers.maybe(() =>
        `BH-${String(target + 1).padStart(4, "0")} — ${f.lorem.sentence()}`, { probability: 0.8 }) ?? null,
      link: kind.startsWith("csv") ? null : link,
      payload: f.helpers.maybe(
        () => ({
          target: aboutReport ? "lab_report" : "borelog",
          index: target,
          urgent: f.datatype.boolean(),
        }),
        {
          probability: 0.6,
        },
      ) ?? null,
      read_at: f.datatype.boolean({ probability: 0.6 })
        ? tz(created + BigInt(f.number.int({ min: 1, max: 500 })) * HOUR)
        : null,
      created_at: tz(created),
    };
  }
}

/** Generators of the Workflow group. */
export const WORKFLOW_TABLES: Record<string, (facts: Facts) => Iterable<Row>> = {
  pending_csv_uploads: pendingCsvUploads,
  substructure_assignments: substructureAssignments,
  approvals,
  csv_upload_audit: csvUploadAudit,
  notifications,
};
