/**
 * Sample rows of the Core (customers, organisations, users, contacts) and Projects (projects, structure,
 * sub_structures, project_members) groups.
 *
 * @module
 */

import type { Faker } from "@faker-js/faker";
import type { Row } from "../../src/schema/table.ts";
import { DAY, day, dec, type Facts, HOUR, K, ORG_KINDS, ROLES, T0, tz } from "./facts.ts";
import { REGIONS, SUB_STRUCTURE_TYPES } from "./vocabulary.ts";

function* customers(x: Facts): Iterable<Row> {
  for (let i = 0; i < x.n; i++) {
    const region = REGIONS[i % REGIONS.length];
    const f = x.rng([K.customers, i], i);
    const created = T0 + BigInt(f.number.int({ max: 200 })) * DAY + BigInt(f.number.int(86_399_999_999));
    yield {
      id: x.id(K.customers, i),
      name: f.company.name(),
      registration_number: f.helpers.maybe(() => f.string.numeric(8), { probability: 0.8 }) ?? null,
      billing_address: f.helpers.maybe(
        () => `${f.location.streetAddress()}, ${f.location.zipCode()} ${f.location.city()}`,
        { probability: 0.9 },
      ) ?? null,
      country_code: region.country,
      created_at: tz(created),
      updated_at: tz(created + BigInt(f.number.int({ max: 400 })) * DAY),
    };
  }
}

function* organisations(x: Facts): Iterable<Row> {
  for (let i = 0; i < x.n; i++) {
    const kind = ORG_KINDS[i % ORG_KINDS.length];
    const f = x.rng([K.organisations, i], i);
    const name = kind === "laboratory"
      ? `${f.location.city()} ${f.helpers.arrayElement(["Geolab", "Soil Testing", "Materials Laboratory"])}`
      : f.company.name();
    const created = T0 + BigInt(f.number.int({ max: 100 })) * DAY + micros(f);
    yield {
      id: x.id(K.organisations, i),
      customer_id: kind === "client" ? x.id(K.customers, f.number.int(x.n - 1)) : null,
      name,
      kind,
      website: f.helpers.maybe(() => f.internet.url(), { probability: 0.7 }) ?? null,
      created_at: tz(created),
      updated_at: tz(created + BigInt(f.number.int({ max: 300 })) * DAY),
    };
  }
}

function* users(x: Facts): Iterable<Row> {
  for (let i = 0; i < x.n; i++) {
    const f = x.rng([K.users, i], i);
    const [first, last] = [f.person.firstName(), f.person.lastName()];
    const created = T0 + BigInt(f.number.int({ max: 150 })) * DAY + micros(f);
    const active = f.datatype.boolean({ probability: 0.9 });
    yield {
      id: x.id(K.users, i),
      organisation_id: x.id(K.organisations, x.userOrganisation(i)),
      // The index keeps addresses unique where names repeat.
      email: `${slug(first)}.${slug(last)}.${i}@${f.internet.domainName()}`,
      full_name: `${first} ${last}`,
      role: ROLES[i % ROLES.length],
      phone: f.helpers.maybe(() => f.phone.number(), { probability: 0.7 }) ?? null,
      is_active: active,
      last_login_at: active
        ? tz(created + BigInt(f.number.int({ min: 1, max: 600 })) * DAY + micros(f))
        : null,
      created_at: tz(created),
      updated_at: tz(created + BigInt(f.number.int({ max: 30 })) * DAY),
    };
  }
}

function* contacts(x: Facts): Iterable<Row> {
  for (let i = 0; i < x.n; i++) {
    const customer = i < x.n / 2 ? i : (i * 7) % x.n;
    const f = x.rng([K.contacts, i], customer);
    const created = T0 + BigInt(f.number.int({ max: 300 })) * DAY + micros(f);
    yield {
      id: x.id(K.contacts, i),
      customer_id: x.id(K.customers, customer),
      name: f.person.fullName(),
      email: f.helpers.maybe(() => f.internet.email().toLowerCase(), { probability: 0.85 }) ?? null,
      phone: f.helpers.maybe(() => f.phone.number(), { probability: 0.6 }) ?? null,
      job_title: f.helpers.maybe(() => f.person.jobTitle(), { probability: 0.7 }) ?? null,
      is_primary: i < x.n / 2,
      created_at: tz(created),
      updated_at: tz(created + BigInt(f.number.int({ max: 90 })) * DAY),
    };
  }
}

const PROJECT_KINDS = ["Bypass", "Viaduct", "Flood Alleviation Scheme", "Rail Upgrade", "Bridge Replacement"];
const TAGS = ["highways", "rail", "flood", "urban", "greenfield", "brownfield", "contaminated", "phase-2"];

function* projects(x: Facts): Iterable<Row> {
  for (let p = 0; p < x.n; p++) {
    const { region, startMicros } = x.projectFacts(p);
    const f = x.rng([K.projects, p], region);
    const status = f.helpers.weightedArrayElement([
      { value: "active", weight: 50 },
      { value: "completed", weight: 25 },
      { value: "planned", weight: 10 },
      { value: "on_hold", weight: 10 },
      { value: "archived", weight: 5 },
    ]);
    const ended = status === "completed" || status === "archived";
    const city = f.location.city();
    yield {
      id: x.id(K.projects, p),
      customer_id: x.id(K.customers, f.number.int(x.n - 1)),
      organisation_id: x.id(K.organisations, x.orgOfKind(1, p)),
      code: `${REGIONS[region].country}-${new Date(Number(startMicros / 1000n)).getUTCFullYear()}-${
        String(p + 1).padStart(5, "0")
      }`,
      name: `${city} ${f.helpers.arrayElement(PROJECT_KINDS)}`,
      description: f.helpers.maybe(
        () => `Ground investigation for the ${city} scheme: ${f.lorem.sentence()}`,
        { probability: 0.7 },
      ) ?? null,
      status,
      location: f.helpers.maybe(() => `${f.location.street()}, ${city}`, { probability: 0.8 }) ?? null,
      start_date: day(startMicros),
      end_date: ended ? day(startMicros + BigInt(f.number.int({ min: 60, max: 500 })) * DAY) : null,
      contract_value: f.helpers.maybe(
        () =>
          dec(
            BigInt(f.number.int({ min: 2_500_000, max: 900_000_000 })) *
              BigInt(f.number.int({ min: 1, max: 40 })),
            2,
          ),
        { probability: 0.8 },
      ) ?? null,
      tags: f.helpers.arrayElements(TAGS, { min: 0, max: 3 }),
      created_by: x.id(K.users, x.userOfRole(1, p)),
      created_at: tz(startMicros - 20n * DAY + micros(f)),
      updated_at: tz(startMicros + BigInt(f.number.int({ max: 400 })) * DAY + micros(f)),
    };
  }
}

const STRUCTURE_TYPES = [
  "bridge",
  "viaduct",
  "culvert",
  "embankment",
  "retaining_wall",
  "building",
  "tunnel",
  "other",
];

function* structure(x: Facts): Iterable<Row> {
  for (let s = 0; s < x.n; s++) {
    const project = x.structureProject(s);
    const { startMicros } = x.projectFacts(project);
    const f = x.rng([K.structure, s], x.projectRegion(project));
    const type = f.helpers.arrayElement(STRUCTURE_TYPES);
    const created = startMicros - 10n * DAY + micros(f);
    yield {
      id: x.id(K.structure, s),
      project_id: x.id(K.projects, project),
      name: `${type === "other" ? "Structure" : title(type)} ${
        f.string.alpha({ length: 1, casing: "upper" })
      }${s + 1}`,
      type,
      chainage_km: f.helpers.maybe(() => dec(f.number.int({ max: 45_000 }), 3), { probability: 0.8 }) ?? null,
      description: f.helpers.maybe(() => f.lorem.sentence(), { probability: 0.5 }) ?? null,
      created_at: tz(created),
      updated_at: tz(created + BigInt(f.number.int({ max: 100 })) * DAY),
    };
  }
}

function* subStructures(x: Facts): Iterable<Row> {
  for (let ss = 0; ss < x.n; ss++) {
    const s = x.subStructureStructure(ss);
    const project = x.structureProject(s);
    const { startMicros } = x.projectFacts(project);
    const f = x.rng([K.sub_structures, ss]);
    const type = f.helpers.arrayElement(SUB_STRUCTURE_TYPES);
    const sequence = f.number.int({ min: 1, max: 12 });
    const created = startMicros - 5n * DAY + micros(f);
    yield {
      id: x.id(K.sub_structures, ss),
      structure_id: x.id(K.structure, s),
      project_id: x.id(K.projects, project),
      name: `${title(type)} ${type === "abutment" ? `A${sequence}` : `P${sequence}`}`,
      type,
      sequence,
      created_at: tz(created),
      updated_at: tz(created + BigInt(f.number.int({ max: 60 })) * DAY),
    };
  }
}

function* projectMembers(x: Facts): Iterable<Row> {
  const users = x.n;
  for (let i = 0; i < x.n; i++) {
    // Distinct (project, user) pairs: project i's members are users i, i + 1, … (mod users).
    const project = i % x.n;
    const user = (project + Math.floor(i / x.n)) % users;
    const { startMicros } = x.projectFacts(project);
    const f = x.rng([K.project_members, i]);
    const joined = startMicros + BigInt(f.number.int({ max: 60 })) * DAY;
    const left = f.datatype.boolean({ probability: 0.2 });
    yield {
      project_id: x.id(K.projects, project),
      user_id: x.id(K.users, user),
      role: ROLES[user % ROLES.length],
      joined_on: day(joined),
      left_on: left ? day(joined + BigInt(f.number.int({ min: 30, max: 300 })) * DAY) : null,
      updated_at: tz(joined + micros(f)),
    };
  }
}

/** Microseconds within a working day (07:00–19:00), to add to a midnight. */
export function micros(f: Faker): bigint {
  return 7n * HOUR + BigInt(f.number.int({ min: 0, max: 12 * 3_600_000_000 - 1 }));
}

function slug(text: string): string {
  return text.normalize("NFKD").replace(/\p{M}/gu, "").toLowerCase().replace(/[^a-z0-9]+/g, "") || "user";
}

function title(text: string): string {
  const words = text.replace(/_/g, " ");
  return words[0].toUpperCase() + words.slice(1);
}

/** Generators of the Core and Projects groups. */
export const CORE_TABLES: Record<string, (facts: Facts) => Iterable<Row>> = {
  customers,
  organisations,
  users,
  contacts,
  projects,
  structure,
  sub_structures: subStructures,
  project_members: projectMembers,
};
