/**
 * Sample rows of the Lab reports group: reports on samples (soil for even report numbers, rock for odd
 * ones), their versions, soil and rock results, test assignments and attachments.
 *
 * Why one file: the six tables walk the same reports (report, its versions, results, assignments,
 * attachments); split by table, each would repeat the walk.
 *
 * @module
 */

import type { Faker } from "@faker-js/faker";
import type { JsonValue } from "../../src/schema/columns.ts";
import type { Row } from "../../src/schema/table.ts";
import { type Borelog, borelog } from "./generate_boreholes.ts";
import {
  DAY,
  day,
  dec,
  type Facts,
  HOUR,
  K,
  local,
  type PlannedLayer,
  type PlannedSample,
  tz,
} from "./facts.ts";
import { LAB_TESTS } from "./vocabulary.ts";

/** What every table of a lab report needs to agree on. */
export interface Report {
  r: number;
  log: Borelog;
  layer: PlannedLayer;
  sample: PlannedSample;
  versions: string[];
  received: bigint;
  versionTimes: bigint[];
  number: string;
}

/** The shared facts of lab report `r`: its sample, versions and timeline. */
export function report(x: Facts, r: number): Report {
  const { borelog: b, layer, sample, versions } = x.reportFacts(r);
  const log = borelog(x, b);
  const f = x.rng([K.unified_lab_reports, r, 1]);
  const received = log.end + BigInt(f.number.int({ min: 1, max: 10 })) * DAY + 9n * HOUR;
  const versionTimes: bigint[] = [];
  let t = received;
  for (let k = 0; k < versions.length; k++) {
    t += BigInt(f.number.int({ min: 1, max: 6 })) * DAY + BigInt(f.number.int(28_799_999_999));
    versionTimes.push(t);
  }
  const year = new Date(Number(received / 1000n)).getUTCFullYear();
  return {
    r,
    log,
    layer,
    sample,
    versions,
    received,
    versionTimes,
    number: `LR-${year}-${String(r + 1).padStart(6, "0")}`,
  };
}

const ROCK_TESTS = ["ucs", "point_load", "slake_durability"];
const SOIL_TESTS = LAB_TESTS.filter((t) => !ROCK_TESTS.includes(t));

function* unifiedLabReports(x: Facts): Iterable<Row> {
  for (let r = 0; r < x.n; r++) {
    const rep = report(x, r);
    const f = x.rng([K.unified_lab_reports, r]);
    const status = rep.versions[rep.versions.length - 1];
    const tests = f.helpers.arrayElements(rep.layer.rock ? ROCK_TESTS : SOIL_TESTS, { min: 1, max: 4 });
    const last = rep.versionTimes[rep.versionTimes.length - 1];
    yield {
      id: x.id(K.unified_lab_reports, r),
      project_id: x.id(K.projects, rep.log.facts.project),
      borelog_id: x.id(K.boreloge, rep.log.b),
      sample_point_id: f.datatype.boolean({ probability: 0.9 })
        ? x.id(K.stratum_sample_points, rep.log.b, rep.sample.seq)
        : null,
      laboratory_id: x.id(K.organisations, x.orgOfKind(3, r)),
      report_number: rep.number,
      status,
      current_version: rep.versions.length,
      test_types: tests,
      summary: {
        sample: rep.sample.code,
        depth_m: dec(rep.sample.depthCm, 2),
        material: rep.layer.rock ? "rock" : "soil",
        description: rep.layer.description,
        tests: tests.length,
        ...(rep.layer.rock ? { ucs_mpa: f.number.float({ min: 5, max: 150, fractionDigits: 1 }) } : {
          moisture_content_pct: f.number.float({ min: 8, max: 45, fractionDigits: 1 }),
        }),
      },
      received_on: day(rep.received),
      tested_by: status === "draft" && f.datatype.boolean() ? null : x.id(K.users, x.userOfRole(4, r)),
      approved_at: status === "approved" ? tz(last) : null,
      created_at: tz(rep.received),
      updated_at: tz(last),
    };
  }
}

function* labReportVersions(x: Facts): Iterable<Row> {
  for (let r = 0; r < x.n; r++) {
    const rep = report(x, r);
    for (let k = 1; k <= rep.versions.length; k++) {
      const f = x.rng([K.lab_report_versions, r, k]);
      yield {
        id: x.id(K.lab_report_versions, r, k),
        report_id: x.id(K.unified_lab_reports, r),
        version_no: k,
        status: rep.versions[k - 1],
        payload: {
          report_number: rep.number,
          version: k,
          sheets: f.number.int({ min: 1, max: 12 }),
          results: results(f, rep.layer.rock),
          checked_by: k > 1 ? f.person.fullName() : null,
        },
        notes: k > 1
          ? `Rev ${String.fromCharCode(64 + k)}: corrected after review — ${f.lorem.words(4)}`
          : null,
        created_by: x.id(K.users, x.userOfRole(4, r + k)),
        created_at: tz(rep.versionTimes[k - 1]),
      };
    }
  }
}

function results(f: Faker, rock: boolean): { [key: string]: JsonValue } {
  return rock
    ? {
      ucs_mpa: f.number.float({ min: 5, max: 150, fractionDigits: 2 }),
      is50_mpa: f.number.float({ max: 8, fractionDigits: 3 }),
    }
    : {
      moisture_content_pct: f.number.float({ min: 8, max: 45, fractionDigits: 1 }),
      liquid_limit_pct: f.number.int({ min: 25, max: 80 }),
      passing_63um_pct: f.number.float({ max: 100, fractionDigits: 1 }),
    };
}

function* soilTestSamples(x: Facts): Iterable<Row> {
  for (let r = 0; r < x.n; r++) {
    const rep = report(x, r);
    if (rep.layer.rock) continue;
    const f = x.rng([K.soil_test_samples, r]);
    const fine = f.datatype.boolean({ probability: 0.6 });
    const ll = fine ? f.number.int({ min: 2500, max: 8000 }) : null;
    const pl = ll === null ? null : f.number.int({ min: 1200, max: Math.min(3500, ll - 300) });
    const bulk = f.number.int({ min: 1700, max: 2300 });
    const moisture = f.number.int({ min: 800, max: 4500 });
    const fines = fine ? f.number.int({ min: 3500, max: 9500 }) : f.number.int({ min: 0, max: 3500 });
    const gravel = f.number.int({ max: 10_000 - fines });
    const sieves = [75, 37.5, 20, 10, 6.3, 2, 0.6, 0.212, 0.063];
    let passing = 100;
    yield {
      id: x.id(K.soil_test_samples, r),
      report_id: x.id(K.unified_lab_reports, r),
      sample_point_id: x.id(K.stratum_sample_points, rep.log.b, rep.sample.seq),
      moisture_content_pct: dec(moisture, 2),
      liquid_limit_pct: ll === null ? null : dec(ll, 2),
      plastic_limit_pct: pl === null ? null : dec(pl, 2),
      plasticity_index_pct: ll === null || pl === null ? null : dec(ll - pl, 2),
      bulk_density_mg_m3: f.helpers.maybe(() => dec(bulk, 3), { probability: 0.7 }) ?? null,
      dry_density_mg_m3: f.helpers.maybe(() => dec(Math.round((bulk * 10_000) / (10_000 + moisture)), 3), {
        probability: 0.6,
      }) ?? null,
      specific_gravity: f.helpers.maybe(() =>
        dec(f.number.int({ min: 2600, max: 2750 }), 3), { probability: 0.4 }) ?? null,
      gravel_pct: dec(gravel, 2),
      sand_pct: dec(10_000 - fines - gravel, 2),
      fines_pct: dec(fines, 2),
      cohesion_kpa: fine ? dec(f.number.int({ min: 1000, max: 15_000 }), 2) : null,
      friction_angle_deg: fine ? null : dec(f.number.int({ min: 250, max: 400 }), 1),
      // Hydraulic conductivity spans decades: an unconstrained numeric keeps every digit.
      permeability_m_s: f.helpers.maybe(
        () => `0.${"0".repeat(f.number.int({ min: 3, max: 10 }))}${f.number.int({ min: 1, max: 99 })}`,
        { probability: 0.3 },
      ) ?? null,
      particle_size_distribution: fine && f.datatype.boolean() ? null : {
        sieve_mm: sieves,
        passing_pct: sieves.map((
          _,
          i,
        ) => (passing = i === 0 ? 100 : Math.max(0, passing - f.number.int(25)))),
        method: "BS 1377-2:2022 §10.2 (wet sieving)",
      },
      tested_at: f.helpers.maybe(() =>
        local(rep.received + BigInt(f.number.int({ min: 1, max: 72 })) * HOUR, rep.log.facts.region), {
        probability: 0.9,
      }) ?? null,
      updated_at: tz(rep.versionTimes[rep.versionTimes.length - 1]),
    };
  }
}

function* rockTestSamples(x: Facts): Iterable<Row> {
  for (let r = 0; r < x.n; r++) {
    const rep = report(x, r);
    if (!rep.layer.rock) continue;
    const f = x.rng([K.rock_test_samples, r]);
    yield {
      id: x.id(K.rock_test_samples, r),
      report_id: x.id(K.unified_lab_reports, r),
      sample_point_id: x.id(K.stratum_sample_points, rep.log.b, rep.sample.seq),
      rock_type: rep.layer.description.split(/[,(]/)[0].trim(),
      ucs_mpa: f.helpers.maybe(() => dec(f.number.int({ min: 300, max: 18_000 }), 2), { probability: 0.8 }) ??
        null,
      point_load_index_mpa: f.helpers.maybe(() =>
        dec(f.number.int({ min: 100, max: 9000 }), 3), { probability: 0.7 }) ?? null,
      youngs_modulus_gpa: f.helpers.maybe(() =>
        f.number.float({ min: 0.5, max: 60 }), { probability: 0.5 }) ?? null,
      poissons_ratio: f.helpers.maybe(() => f.number.int({ min: 15, max: 35 }) / 100, { probability: 0.5 }) ??
        null,
      porosity_pct: f.helpers.maybe(() =>
        dec(f.number.int({ min: 50, max: 3500 }), 2), { probability: 0.6 }) ?? null,
      water_absorption_pct: f.helpers.maybe(() =>
        dec(f.number.int({ min: 10, max: 1500 }), 2), { probability: 0.6 }) ?? null,
      slake_durability_cycles: f.helpers.maybe(() =>
        f.number.int({ min: 1, max: 4 }), { probability: 0.3 }) ?? null,
      tested_at: local(
        rep.received + BigInt(f.number.int({ min: 1, max: 120 })) * HOUR,
        rep.log.facts.region,
      ),
      updated_at: tz(rep.versionTimes[rep.versionTimes.length - 1]),
    };
  }
}

function* labTestAssignments(x: Facts): Iterable<Row> {
  for (let i = 0; i < x.n; i++) {
    let f = x.rng([K.lab_test_assignments, i, 1]);
    const b = f.number.int(x.n - 1);
    const u = f.number.float({ max: 1 });
    const log = borelog(x, b);
    const samples = log.layers.flatMap((l) =>
      l.samples.filter((s) => s.type !== "water").map((s) => ({ l, s }))
    );
    const { l, s } = samples[Math.floor(u * samples.length)];
    f = x.rng([K.lab_test_assignments, i]);
    const status = f.helpers.arrayElement(["assigned", "in_progress", "completed", "completed", "cancelled"]);
    const assigned = log.end + BigInt(f.number.int({ min: 1, max: 5 })) * DAY + 10n * HOUR;
    const completed = status === "completed"
      ? assigned + BigInt(f.number.int({ min: 1, max: 20 })) * DAY
      : null;
    yield {
      id: x.id(K.lab_test_assignments, i),
      sample_point_id: x.id(K.stratum_sample_points, b, s.seq),
      borelog_id: x.id(K.boreloge, b),
      assigned_to: x.id(K.users, x.userOfRole(4, i)),
      assigned_by: x.id(K.users, x.userOfRole(1, i)),
      tests: f.helpers.arrayElements(l.rock ? ROCK_TESTS : SOIL_TESTS, { min: 1, max: 4 }),
      priority: f.number.int({ min: 1, max: 5 }),
      status,
      due_date: f.helpers.maybe(() => day(assigned + 21n * DAY), { probability: 0.75 }) ?? null,
      assigned_at: tz(assigned),
      completed_at: completed === null ? null : tz(completed),
      updated_at: tz(completed ?? assigned),
    };
  }
}

const SHEET_NAMES: Record<string, string> = {
  GB: "Test_certificates",
  DE: "Prüfbericht_Bodenmechanik",
  FR: "Procès-verbal_d’essais",
  ES: "Informe_de_ensayos",
  PL: "Sprawozdanie_z_badań",
};

function* labReportAttachments(x: Facts): Iterable<Row> {
  for (let r = 0; r < x.n; r++) {
    const rep = report(x, r);
    const f = x.rng([K.lab_report_attachments, r]);
    const count = r === 0 ? 1 : f.number.int(2);
    for (let k = 1; k <= count; k++) {
      const version = f.number.int({ min: 1, max: rep.versions.length });
      const raw = f.datatype.boolean({ probability: 0.1 });
      const name = raw
        ? `${rep.number}_raw_data.zip`
        : `${rep.number}_${SHEET_NAMES[rep.log.facts.region.country]}.pdf`;
      yield {
        id: x.id(K.lab_report_attachments, r, k),
        report_id: x.id(K.unified_lab_reports, r),
        version_no: version,
        file_name: name,
        content_type: raw ? "application/zip" : "application/pdf",
        // Raw instrument data can pass 4 GiB: a bigint column for a reason.
        size_bytes: BigInt(
          raw
            ? f.number.int({ min: 2_000_000_000, max: 6_000_000_000 })
            : f.number.int({ min: 80_000, max: 9_000_000 }),
        ),
        sha256: f.string.hexadecimal({ length: 64, casing: "lower", prefix: "" }),
        storage_key: `lab-reports/${x.id(K.unified_lab_reports, r)}/v${version}/${encodeURIComponent(name)}`,
        uploaded_by: x.id(K.users, x.userOfRole(4, r)),
        uploaded_at: tz(rep.versionTimes[version - 1] + BigInt(f.number.int({ min: 1, max: 3_599_999_999 }))),
      };
    }
  }
}

/** Generators of the Lab reports group. */
export const LAB_TABLES: Record<string, (facts: Facts) => Iterable<Row>> = {
  unified_lab_reports: unifiedLabReports,
  lab_report_versions: labReportVersions,
  soil_test_samples: soilTestSamples,
  rock_test_samples: rockTestSamples,
  lab_test_assignments: labTestAssignments,
  lab_report_attachments: labReportAttachments,
};
