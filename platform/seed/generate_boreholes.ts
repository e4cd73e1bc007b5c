/**
 * Sample rows of the Boreholes (borehole, boreloge and its details, versions, images, submissions,
 * assignments, groundwater observations) and Stratum (layers, sample points) groups. Borelog `b` logs
 * borehole `b`.
 *
 * Why one file: the ten tables of the two groups walk the same borelogs (borelog `b`, its versions,
 * layers and sample points); split by table, each would repeat the walk.
 *
 * @module
 */

import type { Row } from "../../src/schema/table.ts";
import {
  type BoreholeFacts,
  DAY,
  day,
  dec,
  type Facts,
  HOUR,
  K,
  local,
  type PlannedLayer,
  tz,
} from "./facts.ts";
import { LAB_TESTS, REGIONS } from "./vocabulary.ts";

/** What every table of a borelog needs to agree on. */
export interface Borelog {
  b: number;
  facts: BoreholeFacts;
  layers: PlannedLayer[];
  versions: string[];
  bottomCm: number;
  drilling: boolean;
  end: bigint;
  /** When each version was saved. */
  versionTimes: bigint[];
  waterStrikeCm: number | null;
}

/** The shared facts of borelog `b` (and borehole `b`): place, layers, versions and timeline. */
export function borelog(x: Facts, b: number): Borelog {
  const facts = x.boreholeFacts(b);
  const layers = x.layerPlan(b);
  const versions = x.borelogVersions(b);
  const f = x.rng([K.boreloge, b, 1]);
  const bottomCm = layers[layers.length - 1].toCm;
  const end = facts.startMicros + BigInt(Math.floor(bottomCm / 800)) * DAY +
    BigInt(f.number.int({ min: 2, max: 9 })) * HOUR;
  const versionTimes: bigint[] = [];
  let t = end;
  for (let k = 0; k < versions.length; k++) {
    t += BigInt(f.number.int({ min: 1, max: 10 })) * DAY + BigInt(f.number.int(3_599_999_999));
    versionTimes.push(t);
  }
  const strike = layers.find((l) => l.waterStrike);
  return {
    b,
    facts,
    layers,
    versions,
    bottomCm,
    drilling: versions[versions.length - 1] === "draft" && f.datatype.boolean(),
    end,
    versionTimes,
    waterStrikeCm: strike ? strike.fromCm + ((strike.toCm - strike.fromCm) >> 1) : null,
  };
}

function* borehole(x: Facts): Iterable<Row> {
  for (let b = 0; b < x.n; b++) {
    const log = borelog(x, b);
    const { facts } = log;
    const f = x.rng([K.borehole, b], REGIONS.indexOf(facts.region));
    const abandoned = !log.drilling && f.datatype.boolean({ probability: 0.05 });
    const planned = abandoned ? log.bottomCm + 500 : Math.ceil(log.bottomCm / 500) * 500;
    yield {
      id: x.id(K.borehole, b),
      project_id: x.id(K.projects, facts.project),
      structure_id: facts.structure === null ? null : x.id(K.structure, facts.structure),
      substructure_id: facts.subStructure === null ? null : x.id(K.sub_structures, facts.subStructure),
      borehole_number: `BH-${String(b + 1).padStart(4, "0")}`,
      location: { latitude: facts.latitude, longitude: facts.longitude },
      ground_level_m: f.helpers.maybe(() =>
        dec(f.number.int({ min: 15_000, max: 260_000 }), 3), { probability: 0.9 }) ??
        null,
      planned_depth_m: dec(planned, 2),
      final_depth_m: log.drilling ? null : dec(log.bottomCm, 2),
      coordinate_accuracy_m: f.helpers.maybe(() =>
        f.helpers.arrayElement([0.02, 0.05, 0.5, 3]), { probability: 0.8 }) ??
        null,
      status: log.drilling ? "drilling" : abandoned ? "abandoned" : "completed",
      started_on: day(facts.startMicros),
      completed_on: log.drilling ? null : day(log.end),
      created_by: x.id(K.users, x.userOfRole(2, b)),
      created_at: tz(facts.startMicros - 3n * DAY),
      updated_at: tz(log.end),
    };
  }
}

function* boreloge(x: Facts): Iterable<Row> {
  for (let b = 0; b < x.n; b++) {
    const log = borelog(x, b);
    yield {
      id: x.id(K.boreloge, b),
      borehole_id: x.id(K.borehole, b),
      project_id: x.id(K.projects, log.facts.project),
      substructure_id: log.facts.subStructure === null
        ? null
        : x.id(K.sub_structures, log.facts.subStructure),
      boring_method: log.facts.method,
      status: log.versions[log.versions.length - 1],
      current_version: log.versions.length,
      created_by: x.id(K.users, x.userOfRole(3, b)),
      created_at: tz(log.facts.startMicros),
      updated_at: tz(log.versionTimes[log.versionTimes.length - 1]),
    };
  }
}

function* borelogDetails(x: Facts): Iterable<Row> {
  for (let b = 0; b < x.n; b++) {
    const log = borelog(x, b);
    const region = log.facts.region;
    for (let k = 1; k <= log.versions.length; k++) {
      const f = x.rng([K.borelog_details, b, k], REGIONS.indexOf(region));
      const latest = k === log.versions.length;
      const d = (cm: number) => (cm / 100).toFixed(2);
      const strike = log.waterStrikeCm ?? log.bottomCm >> 1;
      const remark = f.helpers.arrayElement(region.remarks)
        .replaceAll("{d2}", d(Math.min(strike + 60, log.bottomCm)))
        .replaceAll("{d}", d(strike))
        .replaceAll("{w}", d(Math.max(strike - 80, 10)));
      yield {
        id: x.id(K.borelog_details, b, k),
        borelog_id: x.id(K.boreloge, b),
        version_no: k,
        job_code: f.helpers.maybe(() =>
          `J${String(log.facts.project + 1).padStart(5, "0")}`, { probability: 0.8 }) ?? null,
        chainage_km: f.helpers.maybe(() =>
          dec(f.number.int({ max: 45_000 }), 3), { probability: 0.6 }) ?? null,
        msl_m: f.helpers.maybe(() =>
          dec(f.number.int({ min: 15_000, max: 260_000 }), 3), { probability: 0.7 }) ?? null,
        diameter_of_hole_mm: log.facts.method === "cable_percussion"
          ? f.helpers.arrayElement([150, 200, 250])
          : f.helpers
            .arrayElement([76, 101, 116, 146]),
        commencement_date: day(log.facts.startMicros),
        completion_date: latest && log.drilling ? null : day(log.end),
        standing_water_level_m: log.waterStrikeCm === null
          ? null
          : dec(Math.max(log.waterStrikeCm - f.number.int(150), 10), 2),
        termination_depth_m: latest && log.drilling ? null : dec(log.bottomCm, 2),
        logged_on: local(log.versionTimes[k - 1], region),
        remarks: f.helpers.maybe(() =>
          remark, { probability: 0.7 }) ?? null,
        lab_tests_requested: f.helpers.arrayElements(LAB_TESTS, { min: 0, max: 5 }),
        created_at: tz(log.versionTimes[k - 1]),
        updated_at: tz(log.versionTimes[k - 1] + BigInt(f.number.int({ max: 7_200_000_000 }))),
      };
    }
  }
}

function* borelogVersions(x: Facts): Iterable<Row> {
  for (let b = 0; b < x.n; b++) {
    const log = borelog(x, b);
    for (let k = 1; k <= log.versions.length; k++) {
      const f = x.rng([K.borelog_versions, b, k]);
      yield {
        id: x.id(K.borelog_versions, b, k),
        borelog_id: x.id(K.boreloge, b),
        version_no: k,
        status: log.versions[k - 1],
        snapshot: {
          borehole_number: `BH-${String(b + 1).padStart(4, "0")}`,
          version: k,
          boring_method: log.facts.method,
          layers: log.layers.map((l) => ({
            no: l.no,
            from_m: dec(l.fromCm, 2),
            to_m: dec(l.toCm, 2),
            // Earlier versions had the descriptions reviewers sent back.
            description: k < log.versions.length && l.no === 2
              ? l.description.split(/[,(]/)[0].trim()
              : l.description,
          })),
          water_strike_m: log.waterStrikeCm === null ? null : dec(log.waterStrikeCm, 2),
          samples: log.layers.reduce((n, l) => n + l.samples.length, 0),
        },
        change_summary: k === 1
          ? f.helpers.maybe(() => "Initial log from site sheets", { probability: 0.6 }) ?? null
          : `Layer 2 description completed after review (v${k - 1} → v${k})`,
        created_by: x.id(K.users, x.userOfRole(3, b + k)),
        created_at: tz(log.versionTimes[k - 1]),
      };
    }
  }
}

function* borelogImages(x: Facts): Iterable<Row> {
  for (let b = 0; b < x.n; b++) {
    const log = borelog(x, b);
    const f = x.rng([K.borelog_images, b]);
    const count = b === 0 ? 2 : f.number.int(3);
    const rock = log.layers.filter((l) => l.rock);
    for (let k = 1; k <= count; k++) {
      const box = rock.length && f.datatype.boolean() ? f.helpers.arrayElement(rock) : null;
      const heic = f.datatype.boolean({ probability: 0.2 });
      const taken = log.facts.startMicros + BigInt(f.number.int({ min: 1, max: 40 })) * HOUR;
      yield {
        id: x.id(K.borelog_images, b, k),
        borelog_id: x.id(K.boreloge, b),
        depth_from_m: box ? dec(box.fromCm, 2) : null,
        depth_to_m: box ? dec(box.toCm, 2) : null,
        caption: box
          ? `Core box ${k}: ${box.description}`
          : f.helpers.maybe(() => "Site set-up ☀️", { probability: 0.4 }) ?? null,
        storage_key: `borelogs/${x.id(K.boreloge, b)}/images/${k}.${heic ? "heic" : "jpg"}`,
        content_type: heic ? "image/heic" : "image/jpeg",
        size_bytes: BigInt(f.number.int({ min: 1_200_000, max: 14_000_000 })),
        width_px: heic ? null : 4032,
        height_px: heic ? null : 3024,
        taken_at: f.helpers.maybe(() => local(taken, log.facts.region), { probability: 0.85 }) ?? null,
        uploaded_by: x.id(K.users, x.userOfRole(2, b)),
        uploaded_at: tz(taken + BigInt(f.number.int({ min: 1, max: 72 })) * HOUR),
      };
    }
  }
}

function* borelogSubmissions(x: Facts): Iterable<Row> {
  for (let b = 0; b < x.n; b++) {
    const log = borelog(x, b);
    for (let k = 1; k <= log.versions.length; k++) {
      const status = log.versions[k - 1];
      if (status === "draft") continue;
      const f = x.rng([K.borelog_submissions, b, k]);
      const submitted = log.versionTimes[k - 1] + BigInt(f.number.int({ min: 1, max: 48 })) * HOUR;
      const reviewed = status === "approved" || status === "rejected"
        ? submitted + BigInt(f.number.int({ min: 2, max: 96 })) * HOUR
        : null;
      yield {
        id: x.id(K.borelog_submissions, b, k),
        borelog_id: x.id(K.boreloge, b),
        version_no: k,
        status,
        submitted_by: x.id(K.users, x.userOfRole(3, b + k)),
        submitted_at: tz(submitted),
        reviewer_id: status === "submitted" ? null : x.id(K.users, x.userOfRole(5, b)),
        reviewed_at: reviewed === null ? null : tz(reviewed),
        review_comments: status === "rejected"
          ? "Layer 2: give secondary constituents and structure per BS 5930 — see §6.4."
          : status === "approved"
          ? f.helpers.maybe(() => "Approved ✔", { probability: 0.3 }) ?? null
          : null,
        updated_at: tz(reviewed ?? submitted),
      };
    }
  }
}

function* borelogAssignments(x: Facts): Iterable<Row> {
  for (let b = 0; b < x.n; b++) {
    const log = borelog(x, b);
    const f = x.rng([K.borelog_assignments, b]);
    const last = log.versions[log.versions.length - 1];
    const status = f.datatype.boolean({ probability: 0.03 })
      ? "cancelled"
      : last === "draft"
      ? log.drilling ? "assigned" : "in_progress"
      : "completed";
    const assigned = log.facts.startMicros - BigInt(f.number.int({ min: 2, max: 14 })) * DAY;
    const completed = status === "completed" ? log.versionTimes[log.versionTimes.length - 1] : null;
    yield {
      id: x.id(K.borelog_assignments, b),
      borelog_id: x.id(K.boreloge, b),
      assigned_to: x.id(K.users, x.userOfRole(f.helpers.arrayElement([2, 3]), b)),
      assigned_by: x.id(K.users, x.userOfRole(1, b)),
      status,
      due_date: f.helpers.maybe(() => day(log.end + 14n * DAY), { probability: 0.8 }) ?? null,
      assigned_at: tz(assigned),
      completed_at: completed === null ? null : tz(completed),
      updated_at: tz(completed ?? assigned),
    };
  }
}

function* groundwaterObservations(x: Facts): Iterable<Row> {
  let id = 0n;
  for (let b = 0; b < x.n; b++) {
    const log = borelog(x, b);
    const f = x.rng([K.groundwater_observations, b]);
    const count = f.number.int({ min: 1, max: 4 });
    let at = log.facts.startMicros;
    for (let k = 1; k <= count; k++) {
      at += BigInt(f.number.int({ min: 4, max: 30 })) * HOUR + BigInt(f.number.int(3_599_999_999));
      const holeCm = Math.min(log.bottomCm, Math.round((log.bottomCm * k) / count));
      const dry = log.waterStrikeCm === null || holeCm < log.waterStrikeCm;
      yield {
        id: ++id,
        borehole_id: x.id(K.borehole, b),
        observed_at: local(at, log.facts.region),
        borehole_depth_m: dec(holeCm, 2),
        casing_depth_m: f.helpers.maybe(() => dec(Math.floor(holeCm * 0.8), 2), { probability: 0.6 }) ?? null,
        is_dry: dry,
        depth_to_water_m: dry ? null : dec(Math.max(log.waterStrikeCm! - f.number.int(150), 10), 2),
        remarks: dry ? f.helpers.maybe(() => "Dry", { probability: 0.5 }) ?? null : null,
      };
    }
  }
}

function* stratumLayers(x: Facts): Iterable<Row> {
  for (let b = 0; b < x.n; b++) {
    const log = borelog(x, b);
    for (const layer of log.layers) {
      const f = x.rng([K.stratum_layers, b, layer.no]);
      const recovery = layer.rock ? Math.round(f.number.float({ min: 55, max: 100 }) * 10) / 10 : null;
      yield {
        id: x.id(K.stratum_layers, b, layer.no),
        borelog_id: x.id(K.boreloge, b),
        version_no: log.versions.length,
        layer_no: layer.no,
        depth_from_m: dec(layer.fromCm, 2),
        depth_to_m: dec(layer.toCm, 2),
        thickness_m: dec(layer.toCm - layer.fromCm, 2),
        description: layer.description,
        soil_classification: layer.classification,
        colour: layer.colour,
        spt_n_value: layer.rock
          ? null
          : f.helpers.maybe(() => f.number.int({ min: 2, max: 60 }), { probability: 0.5 }) ??
            null,
        core_recovery_pct: recovery,
        rqd_pct: recovery === null ? null : Math.round(f.number.float({ min: 0, max: recovery }) * 10) / 10,
        is_water_strike: layer.waterStrike,
        updated_at: tz(log.versionTimes[log.versionTimes.length - 1]),
      };
    }
  }
}

function* stratumSamplePoints(x: Facts): Iterable<Row> {
  for (let b = 0; b < x.n; b++) {
    const log = borelog(x, b);
    for (const layer of log.layers) {
      for (const sample of layer.samples) {
        const f = x.rng([K.stratum_sample_points, b, sample.seq]);
        const collected = log.facts.startMicros + BigInt(Math.floor(sample.depthCm / 400)) * HOUR +
          BigInt(f.number.int(3_599_999_999));
        yield {
          id: x.id(K.stratum_sample_points, b, sample.seq),
          stratum_layer_id: x.id(K.stratum_layers, b, layer.no),
          borelog_id: x.id(K.boreloge, b),
          sample_code: sample.code,
          sample_type: sample.type,
          depth_m: dec(sample.depthCm, 2),
          location: { latitude: log.facts.latitude, longitude: log.facts.longitude },
          blow_counts: sample.type === "spt"
            ? Array.from({ length: 6 }, () => f.number.int({ min: 0, max: 15 }))
            : null,
          recovery_mm: sample.type === "undisturbed_u100"
            ? f.number.int({ min: 150, max: 450 })
            : sample.type === "core"
            ? f.number.int({ min: 300, max: 1500 })
            : null,
          collected_at: tz(collected),
          updated_at: tz(collected + BigInt(f.number.int({ min: 1, max: 96 })) * HOUR),
        };
      }
    }
  }
}

/** Generators of the Boreholes and Stratum groups. */
export const BOREHOLE_TABLES: Record<string, (facts: Facts) => Iterable<Row>> = {
  borehole,
  boreloge,
  borelog_details: borelogDetails,
  borelog_versions: borelogVersions,
  borelog_images: borelogImages,
  borelog_submissions: borelogSubmissions,
  borelog_assignments: borelogAssignments,
  groundwater_observations: groundwaterObservations,
  stratum_layers: stratumLayers,
  stratum_sample_points: stratumSamplePoints,
};
