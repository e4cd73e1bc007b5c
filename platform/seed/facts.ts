/**
 * The facts behind the sample data, each a pure function of (seed, entity number): ids, which project a
 * borehole belongs to and where it is, its layers and samples. Children recompute their parents' facts
 * instead of keeping every row in memory, so seeding a million rows needs no more memory than twenty.
 *
 * Every facts function seeds its own draws, so callers take what they need from a facts function before
 * seeding their own draws.
 *
 * Why one file: every generator reads these facts, and a child's facts recompute its parents' (a sample's
 * layer, a layer's borehole, a borehole's project); split, each part would import the others.
 *
 * @module
 */

import { Faker } from "@faker-js/faker";
import { formatDate, formatDecimal, formatTimestamp } from "../../src/schema/values.ts";
import { fastRandomizer, uuidFor } from "./random.ts";
import { type Region, REGIONS, SOIL_GROUPS } from "./vocabulary.ts";

/** Entity kinds, used as keys for ids and draws. Append only: renumbering changes every id. */
export const K = {
  customers: 1,
  organisations: 2,
  users: 3,
  contacts: 4,
  projects: 5,
  structure: 6,
  sub_structures: 7,
  project_members: 8,
  borehole: 9,
  boreloge: 10,
  borelog_details: 11,
  borelog_versions: 12,
  borelog_images: 13,
  borelog_submissions: 14,
  borelog_assignments: 15,
  groundwater_observations: 16,
  stratum_layers: 17,
  stratum_sample_points: 18,
  unified_lab_reports: 19,
  lab_report_versions: 20,
  soil_test_samples: 21,
  rock_test_samples: 22,
  lab_test_assignments: 23,
  lab_report_attachments: 24,
  pending_csv_uploads: 25,
  substructure_assignments: 26,
  approvals: 27,
  csv_upload_audit: 28,
  notifications: 29,
  // Facts, drawn apart from rows.
  projectFacts: 101,
  structureFacts: 102,
  subStructureFacts: 103,
  boreholeFacts: 104,
  layerPlan: 105,
  borelogFacts: 106,
  reportFacts: 107,
} as const;

/** The roles of `user_role`, in the order users are given them. */
export const ROLES = [
  "admin",
  "project_manager",
  "site_engineer",
  "logger",
  "lab_engineer",
  "approval_engineer",
  "customer",
] as const;
/** The kinds of `organisation_kind`, in the order organisations are given them. */
export const ORG_KINDS = ["client", "consultant", "contractor", "laboratory"] as const;
const ROLE_ORG: Record<(typeof ROLES)[number], number> = {
  admin: 1,
  project_manager: 1,
  site_engineer: 2,
  logger: 2,
  lab_engineer: 3,
  approval_engineer: 1,
  customer: 0,
};

/** Microseconds since 1970 of 2023-01-01T00:00:00Z, where the sample data's history begins. */
export const T0 = 1_672_531_200_000_000n;
/** Microseconds in an hour and a day. */
export const HOUR = 3_600_000_000n, DAY = 86_400_000_000n;

/** A planned sample within a layer. */
export interface PlannedSample {
  /** Sequence number within the borelog, from 1. */
  seq: number;
  code: string;
  type: "disturbed" | "bulk" | "undisturbed_u100" | "spt" | "core" | "water";
  depthCm: number;
}

/** A planned stratum layer. */
export interface PlannedLayer {
  no: number;
  fromCm: number;
  toCm: number;
  rock: boolean;
  description: string;
  /** The colour word of the description; none for made ground. */
  colour: string | null;
  /** USCS group of a natural soil (fine to coarse as the soil name); none for made ground and rock. */
  classification: string | null;
  waterStrike: boolean;
  samples: PlannedSample[];
}

/** Where and how a borehole was drilled. */
export interface BoreholeFacts {
  project: number;
  structure: number | null;
  subStructure: number | null;
  region: Region;
  latitude: number;
  longitude: number;
  method: "cable_percussion" | "rotary_core" | "rotary_open_hole" | "window_sample";
  startMicros: bigint;
}

/** Draws the sample data from seeded Faker instances, one per region (for local names and words). */
export class Facts {
  readonly n: number;
  readonly seed: number;
  #fakers: Faker[];

  constructor(rows: number, seed: number) {
    this.n = rows;
    this.seed = seed;
    this.#fakers = REGIONS.map((region) =>
      new Faker({ locale: region.locale, randomizer: fastRandomizer() })
    );
  }

  /** A Faker seeded for one entity (`key`), speaking the language of region `region`. */
  rng(key: readonly number[], region = 0): Faker {
    const faker = this.#fakers[region % this.#fakers.length];
    faker.seed([this.seed, ...key]);
    return faker;
  }

  /** The id of entity `i` of kind `kind` (and sub-entity `k`), the same every time it is asked for. */
  id(kind: number, i: number, k = 0): string {
    return uuidFor(this.seed, kind, i, k);
  }

  /** Region number of project `p`. */
  projectRegion(p: number): number {
    return p % REGIONS.length;
  }

  /** Project centre and start. */
  projectFacts(p: number): { region: number; latitude: number; longitude: number; startMicros: bigint } {
    const region = this.projectRegion(p);
    const f = this.rng([K.projectFacts, p]);
    const [south, west, north, east] = REGIONS[region].box;
    return {
      region,
      // Keep 2 km inside the box, so boreholes around the centre stay on land.
      latitude: f.number.float({ min: south + 0.02, max: north - 0.02 }),
      longitude: f.number.float({ min: west + 0.03, max: east - 0.03 }),
      startMicros: T0 + BigInt(f.number.int({ max: 700 })) * DAY,
    };
  }

  /** The project of structure `s`. */
  structureProject(s: number): number {
    return this.rng([K.structureFacts, s]).number.int(this.n - 1);
  }

  /** The structure of sub-structure `ss`. */
  subStructureStructure(ss: number): number {
    return this.rng([K.subStructureFacts, ss]).number.int(this.n - 1);
  }

  /** A user with role `roleIndex` (into {@link ROLES}), chosen by `pick`; any user if none has it. */
  userOfRole(roleIndex: number, pick: number): number {
    return nthOfCycle(this.n, ROLES.length, roleIndex, pick);
  }

  /** An organisation of kind `kindIndex` (into {@link ORG_KINDS}), chosen by `pick`. */
  orgOfKind(kindIndex: number, pick: number): number {
    return nthOfCycle(this.n, ORG_KINDS.length, kindIndex, pick);
  }

  /** The organisation user `u` works for: one whose kind suits the user's role. */
  userOrganisation(u: number): number {
    return this.orgOfKind(ROLE_ORG[ROLES[u % ROLES.length]], u);
  }

  /** Where borehole `b` is, what it serves and how it is drilled. */
  boreholeFacts(b: number): BoreholeFacts {
    let f = this.rng([K.boreholeFacts, b]);
    const open = f.datatype.boolean({ probability: 0.2 });
    const pick = f.number.int(this.n - 1);
    const method = b === 0 ? "rotary_core" : f.helpers.weightedArrayElement([
      { value: "rotary_core" as const, weight: 35 },
      { value: "cable_percussion" as const, weight: 40 },
      { value: "rotary_open_hole" as const, weight: 10 },
      { value: "window_sample" as const, weight: 15 },
    ]);
    const [dLat, dLon, dDays] = [
      f.number.float({ min: -0.012, max: 0.012 }),
      f.number.float({
        min: -0.018,
        max: 0.018,
      }),
      f.number.int({ max: 200 }),
    ];
    const subStructure = open ? null : pick;
    const structure = subStructure === null ? null : this.subStructureStructure(subStructure);
    const project = structure === null ? pick : this.structureProject(structure);
    const centre = this.projectFacts(project);
    f = this.rng([K.boreholeFacts, b, 1]);
    return {
      project,
      structure,
      subStructure,
      region: REGIONS[centre.region],
      latitude: round7(centre.latitude + dLat),
      longitude: round7(centre.longitude + dLon),
      method,
      startMicros: centre.startMicros + BigInt(dDays) * DAY +
        BigInt(f.number.int({ min: 7, max: 10 })) * HOUR +
        BigInt(f.number.int(3_599_999_999)),
    };
  }

  /** The layers (top down, touching, non-overlapping) and samples of borelog `b`'s latest version. */
  layerPlan(b: number): PlannedLayer[] {
    const facts = this.boreholeFacts(b);
    const region = facts.region;
    const f = this.rng([K.layerPlan, b], REGIONS.indexOf(region));
    const rockBase = facts.method === "rotary_core";
    const count = f.number.int({ min: 3, max: rockBase ? 8 : 6 });
    const waterLayer = f.datatype.boolean({ probability: 0.6 })
      ? f.number.int({ min: 1, max: count - 1 })
      : -1;
    const layers: PlannedLayer[] = [];
    let depth = 0;
    let seq = 0;
    for (let no = 1; no <= count; no++) {
      const rock = rockBase && no >= count - 1;
      const thickness = no === 1
        ? f.number.int({ min: 20, max: 150 })
        : f.number.int({ min: 30, max: rock ? 600 : 450 });
      const { description, colour, classification } = no === 1
        ? { description: region.madeGround, colour: null, classification: null }
        : describeLayer(f, region, rock);
      const layer: PlannedLayer = {
        no,
        fromCm: depth,
        toCm: depth + thickness,
        rock,
        description,
        colour,
        classification,
        waterStrike: no - 1 === waterLayer,
        samples: [],
      };
      const samples = rock
        ? f.number.int({ min: 1, max: 3 })
        : f.number.int({ min: no === 1 ? 0 : 1, max: 3 });
      for (let s = 0; s < samples; s++) {
        // Evenly spread down the layer, never at its bottom, so sample depths increase.
        const depthCm = layer.fromCm + Math.floor(((s + f.number.float({ max: 0.9 })) * thickness) / samples);
        const type = rock
          ? "core"
          : f.helpers.arrayElement(["disturbed", "bulk", "undisturbed_u100", "spt"] as const);
        seq++;
        layer.samples.push({ seq, code: `${CODE[type]}${seq}`, type, depthCm });
      }
      if (layer.waterStrike) {
        seq++;
        layer.samples.push({ seq, code: `W${seq}`, type: "water", depthCm: layer.fromCm + (thickness >> 1) });
        layer.samples.sort((a, b) => a.depthCm - b.depthCm);
      }
      layers.push(layer);
      depth += thickness;
    }
    return layers;
  }

  /** Version statuses of borelog `b`, oldest first; the last is the borelog's status. */
  borelogVersions(b: number): string[] {
    const f = this.rng([K.borelogFacts, b]);
    const count = f.number.int({ min: 1, max: 3 });
    const last = f.helpers.weightedArrayElement([
      { value: "approved", weight: 45 },
      { value: "under_review", weight: 15 },
      { value: "submitted", weight: 15 },
      { value: "draft", weight: 20 },
      { value: "rejected", weight: 5 },
    ]);
    return [...Array(count - 1).fill("rejected"), last];
  }

  /** Which sample lab report `r` is on: soil for even reports, rock for odd ones where there is rock. */
  reportFacts(
    r: number,
  ): { borelog: number; layer: PlannedLayer; sample: PlannedSample; versions: string[] } {
    let f = this.rng([K.reportFacts, r]);
    const borelog = r === 1 ? 0 : f.number.int(this.n - 1); // borelog 0 is cored, so report 1 is on rock
    const u = f.number.float({ max: 1 });
    const layers = this.layerPlan(borelog).filter((l) => l.samples.some((s) => s.type !== "water"));
    const wanted = layers.filter((l) => l.rock === (r % 2 === 1));
    const pool = wanted.length ? wanted : layers;
    const layer = pool[Math.floor(u * pool.length)];
    const samples = layer.samples.filter((s) => s.type !== "water");
    f = this.rng([K.reportFacts, r, 1]);
    const sample = samples[f.number.int(samples.length - 1)];
    const count = f.number.int({ min: 1, max: 4 });
    const last = f.helpers.weightedArrayElement([
      { value: "approved", weight: 50 },
      { value: "submitted", weight: 25 },
      { value: "draft", weight: 20 },
      { value: "rejected", weight: 5 },
    ]);
    return { borelog, layer, sample, versions: [...Array(count - 1).fill("rejected"), last] };
  }
}

const CODE = { disturbed: "D", bulk: "B", undisturbed_u100: "U", spt: "S", core: "C", water: "W" } as const;

const WEATHERING: Record<string, string> = {
  DE: "Verwitterungsgrad",
  FR: "degré d’altération",
  ES: "grado de meteorización",
  PL: "stopień zwietrzenia",
};

function describeLayer(
  f: Faker,
  region: Region,
  rock: boolean,
): { description: string; colour: string; classification: string | null } {
  const colour = f.helpers.arrayElement(region.colours);
  const soil = f.number.int(region.soils.length - 1);
  // Soil names run fine to coarse, as the USCS groups do.
  const group = SOIL_GROUPS[Math.round((soil * (SOIL_GROUPS.length - 1)) / (region.soils.length - 1))];
  return {
    description: describe(f, region, rock, colour, soil),
    colour,
    classification: rock ? null : group,
  };
}

function describe(f: Faker, region: Region, rock: boolean, colour: string, soilIndex: number): string {
  if (rock) {
    const name = f.helpers.arrayElement(region.rocks);
    const grade = f.helpers.arrayElement(["I", "II", "II–III", "III", "IV"]);
    return region.country === "GB"
      ? `${
        f.helpers.arrayElement(["Weak", "Moderately weak", "Moderately strong", "Strong"])
      } thinly bedded ${colour} ${name} (weathering grade ${grade})`
      : `${name}, ${colour} (${WEATHERING[region.country] ?? "grade"} ${grade})`;
  }
  const soil = region.soils[soilIndex];
  const state = f.helpers.arrayElement(region.states);
  if (region.country !== "GB") return `${soil}, ${state}, ${colour}`;
  const extra = f.helpers.maybe(() =>
    f.helpers.arrayElement([
      " with occasional subangular flint gravel (Ø ≤ 20 mm)",
      " with rare shell fragments",
      " with pockets of black organic silt",
      ", fissured; fissures closely spaced, polished",
    ]), { probability: 0.5 }) ?? "";
  return `${state} ${colour} ${soil}${extra}`;
}

/** The `pick`-th of the entities numbered `offset`, `offset + cycle`, … below `n`; any one if none. */
function nthOfCycle(n: number, cycle: number, offset: number, pick: number): number {
  const count = n > offset ? Math.floor((n - 1 - offset) / cycle) + 1 : 0;
  return count ? offset + cycle * (Math.abs(pick) % count) : Math.abs(pick) % n;
}

function round7(x: number): number {
  return Math.round(x * 1e7) / 1e7;
}

/** Exact `numeric(p, s)` text of an integer count of hundredths, thousandths, … */
export function dec(unscaled: number | bigint, scale: number): string {
  return formatDecimal(BigInt(unscaled), scale);
}

/** Canonical `timestamptz` text of microseconds since 1970. */
export function tz(micros: bigint): string {
  return formatTimestamp(micros, true);
}

/** Canonical site-local `timestamp` text: UTC plus the region's offset (one hour outside Britain). */
export function local(micros: bigint, region: Region): string {
  return formatTimestamp(micros + (region.country === "GB" ? 0n : HOUR), false);
}

/** Canonical `date` text of the day holding `micros`. */
export function day(micros: bigint): string {
  return formatDate(Number(micros / DAY));
}
