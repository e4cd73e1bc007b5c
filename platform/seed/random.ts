/**
 * Seeded randomness for the sample data: a fast Faker randomizer, and ids that are a pure function of
 * an entity's number.
 *
 * @module
 */

import type { Randomizer } from "@faker-js/faker";
import { uniformFloat64 } from "pure-rand/distribution/uniformFloat64";
import { xoroshiro128plusFromState } from "pure-rand/generator/xoroshiro128plus";

/**
 * Faker's randomizer on pure-rand's xoroshiro128+, seeded with 128 bits hashed from the whole key: every
 * entity reseeds, and Faker's default Mersenne Twister takes tens of microseconds to seed.
 */
export function fastRandomizer(): Randomizer {
  let rng = xoroshiro128plusFromState(hashWords([0]));
  return {
    next: () => uniformFloat64(rng),
    seed: (seed) => {
      rng = xoroshiro128plusFromState(hashWords(Array.isArray(seed) ? seed : [seed]));
    },
  };
}

/**
 * A deterministic, random-looking version 4 UUID for (seed, kind, i, k). Hand-written because ids must be
 * recomputable from an entity's number without storing them (children name their parents this way),
 * and a seeded generator's stream cannot be indexed.
 */
export function uuidFor(seed: number, kind: number, i: number, k: number): string {
  const hex = hashWords([seed, kind, i, k]).map((w) => (w >>> 0).toString(16).padStart(8, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${
    ((parseInt(hex[16], 16) & 3) | 8).toString(16)
  }${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/**
 * Four 32-bit words from a key of integers. Each word is a chain of bijective mixes over every input, so
 * two keys share all four words only by a 2^-128 accident. Never all zero (xoroshiro's one bad state).
 */
function hashWords(key: readonly number[]): number[] {
  const words: number[] = [];
  for (let word = 0; word < 4; word++) {
    let h = mix32(Math.imul(word + 1, 0x9e3779b9) >>> 0);
    for (const part of key) {
      h = mix32(h ^ (part >>> 0));
      h = mix32(h ^ (Math.floor(part / 2 ** 32) >>> 0));
    }
    words.push(h | 0);
  }
  if (!words.some((w) => w !== 0)) words[0] = 1;
  return words;
}

function mix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
