/**
 * The words and places of the sample data: regions on land with their locale and language, and the
 * stratum descriptions a logger writes there (BS 5930 style in the UK, the local language elsewhere).
 *
 * @module
 */

import { base, de, en, en_GB, es, fr, type LocaleDefinition, pl } from "@faker-js/faker";

/** A region projects are placed in: a box that is all land, and how people there write. */
export interface Region {
  /** ISO 3166 country code. */
  country: string;
  /** Faker locales, most specific first. */
  locale: LocaleDefinition[];
  /** South, west, north, east edges in degrees. */
  box: [number, number, number, number];
  /** What the top layer is called. */
  madeGround: string;
  /** Principal soil names, fine to coarse, in the local language. */
  soils: string[];
  /** Rock names at the base of rotary cored holes. */
  rocks: string[];
  /** Consistency or density words. */
  states: string[];
  /** Colours. */
  colours: string[];
  /** Remarks a logger adds. */
  remarks: string[];
}

/** Regions of the UK and Europe whose boxes lie on land (inland towns, away from coasts and lakes). */
export const REGIONS: readonly Region[] = [
  {
    country: "GB",
    locale: [en_GB, en, base],
    box: [52.0, -2.5, 53.3, -0.6], // the English Midlands
    madeGround: "MADE GROUND: dark brown sandy gravelly clay with brick, concrete and ash fragments",
    soils: ["CLAY", "silty CLAY", "sandy SILT", "clayey SAND", "SAND", "sandy GRAVEL", "GRAVEL"],
    rocks: ["MUDSTONE", "SANDSTONE", "SILTSTONE", "LIMESTONE"],
    states: ["Soft", "Firm", "Stiff", "Very stiff", "Loose", "Medium dense", "Dense"],
    colours: ["brown", "grey", "orange-brown", "bluish grey", "reddish brown", "dark grey"],
    remarks: [
      "Water strike at {d} m — rose to {w} m after 20 min.",
      "Hand-dug inspection pit to 1.20 m; no services encountered.",
      "Chiselling from {d} m to {d2} m (1 h).",
      "Borehole backfilled with bentonite–cement grout on completion.",
      "Slight hydrocarbon odour noted in MADE GROUND, sample sent for “WAC” testing.",
    ],
  },
  {
    country: "GB",
    locale: [en_GB, en, base],
    box: [55.8, -4.25, 55.95, -3.65], // the central belt between Glasgow and Edinburgh
    madeGround: "TOPSOIL: dark brown slightly sandy clayey silt with rootlets",
    soils: ["CLAY", "sandy CLAY", "gravelly CLAY (glacial till)", "SAND", "GRAVEL"],
    rocks: ["SANDSTONE", "COAL", "MUDSTONE", "DOLERITE"],
    states: ["Firm", "Stiff", "Very stiff", "Medium dense", "Dense", "Very dense"],
    colours: ["reddish brown", "grey", "dark grey", "brown"],
    remarks: [
      "Cobbles and boulders of sandstone (≤ 300 mm) from {d} m.",
      "Possible mine workings: void from {d} m to {d2} m, flush lost.",
      "Standpipe installed to {d} m, response zone {w}–{d} m.",
    ],
  },
  {
    country: "DE",
    locale: [de, en, base],
    box: [50.6, 7.8, 51.9, 10.3], // Hesse and Lower Saxony
    madeGround: "Auffüllung: Schluff, sandig, kiesig, mit Ziegel- und Betonresten",
    soils: ["Ton", "Schluff, tonig", "Schluff, sandig", "Sand, schluffig", "Sand", "Kies, sandig", "Kies"],
    rocks: ["Tonstein", "Sandstein", "Kalkstein", "Buntsandstein"],
    states: ["weich", "steif", "halbfest", "fest", "locker", "mitteldicht", "dicht"],
    colours: ["braun", "grau", "graubraun", "ockerbraun", "rötlich braun"],
    remarks: [
      "Grundwasser bei {d} m angetroffen, Ruhewasserspiegel {w} m u. GOK.",
      "Bohrung mit Zement-Bentonit-Suspension verfüllt.",
      "Geruch auffällig (Mineralöl?) — Probe für Laboranalyse entnommen.",
      "Bohrhindernis bei {d} m, Bohrung um 1,5 m versetzt.",
    ],
  },
  {
    country: "FR",
    locale: [fr, en, base],
    box: [48.5, 1.6, 49.4, 3.3], // Île-de-France, inland
    madeGround: "Remblais : limon sableux brun avec débris de briques et de béton",
    soils: ["Argile", "Argile limoneuse", "Limon sableux", "Sable argileux", "Sable", "Grave sableuse"],
    rocks: ["Calcaire grossier", "Craie", "Marne", "Gypse"],
    states: ["molle", "ferme", "raide", "très raide", "lâche", "moyennement dense", "dense"],
    colours: ["brun", "gris", "beige", "brun-rouge", "gris verdâtre"],
    remarks: [
      "Venue d’eau à {d} m ; niveau stabilisé à {w} m.",
      "Forage rebouché au coulis ciment–bentonite.",
      "Perte totale du fluide de forage à {d} m (karst ?).",
    ],
  },
  {
    country: "ES",
    locale: [es, en, base],
    box: [39.8, -4.3, 40.9, -2.8], // around Madrid
    madeGround: "Relleno antrópico: arena limosa marrón con restos de ladrillo",
    soils: ["Arcilla", "Arcilla arenosa", "Limo arenoso", "Arena arcillosa", "Arena", "Grava arenosa"],
    rocks: ["Yesos", "Margas", "Caliza", "Arenisca"],
    states: ["blanda", "firme", "rígida", "muy rígida", "suelta", "medianamente densa", "densa"],
    colours: ["marrón", "gris", "ocre", "rojizo", "verdoso"],
    remarks: [
      "Nivel freático a {d} m, estabilizado a {w} m a las 24 h.",
      "Sondeo rellenado con lechada de cemento-bentonita.",
      "Presencia de yesos a partir de {d} m — ensayo de sulfatos solicitado.",
    ],
  },
  {
    country: "PL",
    locale: [pl, en, base],
    box: [51.6, 18.6, 52.4, 21.0], // between Łódź and Warsaw
    madeGround: "Nasyp niekontrolowany: piasek gliniasty z gruzem ceglanym",
    soils: ["Glina", "Glina piaszczysta", "Pył", "Piasek gliniasty", "Piasek drobny", "Pospółka", "Żwir"],
    rocks: ["Iłowiec", "Piaskowiec", "Wapień"],
    states: [
      "miękkoplastyczna",
      "plastyczna",
      "twardoplastyczna",
      "półzwarta",
      "luźny",
      "średnio zagęszczony",
    ],
    colours: ["brązowa", "szara", "żółtobrązowa", "szarozielona"],
    remarks: [
      "Zwierciadło wody nawiercone na {d} m, ustabilizowane na {w} m.",
      "Otwór zlikwidowany zaczynem cementowo-bentonitowym.",
      "Zapach ropopochodny w nasypie — pobrano próbkę do analizy.",
    ],
  },
];

/** The lab tests a borelog may ask for, and a lab report may cover. */
export const LAB_TESTS: readonly string[] = [
  "moisture_content",
  "atterberg_limits",
  "particle_size_distribution",
  "bulk_density",
  "triaxial_uu",
  "shear_box",
  "consolidation",
  "permeability",
  "sulphate_ph",
  "ucs",
  "point_load",
  "slake_durability",
];

/** The kinds of sub-structure boreholes are drilled for. */
export const SUB_STRUCTURE_TYPES: readonly string[] = [
  "pier",
  "abutment",
  "foundation",
  "wing_wall",
  "pile_cap",
];

/** Soil classifications (USCS group symbols) by how fine the principal soil is. */
export const SOIL_GROUPS: readonly string[] = ["CH", "CL", "ML", "SC", "SM", "SP", "GW"];

/** Notification kinds. */
export const NOTIFICATION_KINDS: readonly string[] = [
  "borelog_assigned",
  "borelog_returned",
  "borelog_approved",
  "lab_report_ready",
  "csv_import_failed",
  "csv_import_done",
];
