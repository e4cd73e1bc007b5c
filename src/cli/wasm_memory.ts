/**
 * A WebAssembly module's smallest memory, lowered. PGlite's `pglite.wasm` declares that the memory it
 * imports starts at 128 MB (2048 pages) although its static data is 3 MB; PGlite's initdb copies that
 * whole heap before each of its `postgres` runs and writes it back, so the 128 MB are touched twice.
 * Compiling the module with a lower minimum (the memory still grows on demand) lets PGlite start it
 * with `initialMemory` of a few MB. Only the import section's limits change; nothing is written to disk.
 *
 * @module
 */

/** Raised when the bytes are not a module importing one memory. */
export class WasmMemoryError extends Error {
  override name = "WasmMemoryError";
}

/**
 * `module` with its imported memory's minimum set to `pages` (64 KiB each).
 *
 * @example
 * ```ts ignore
 * import { lowerMemoryMinimum } from "./wasm_memory.ts";
 * const bytes = lowerMemoryMinimum(await Deno.readFile("pglite.wasm"), 512);
 * const module = await WebAssembly.compile(bytes);
 * ```
 */
export function lowerMemoryMinimum(module: Uint8Array, pages: number): Uint8Array<ArrayBuffer> {
  let at = 8; // magic and version
  while (at < module.length) {
    const id = module[at];
    const [size, start] = readU32(module, at + 1);
    const end = start + size;
    if (id === 2) {
      const found = memoryLimits(module, start);
      const content = concat([
        module.subarray(start, found.min),
        leb(pages),
        module.subarray(found.next, end),
      ]);
      return concat([
        module.subarray(0, at),
        Uint8Array.of(2),
        leb(content.length),
        content,
        module.subarray(end),
      ]);
    }
    at = end;
  }
  throw new WasmMemoryError("The WebAssembly module has no import section");
}

/** Where the imported memory's minimum starts and ends, in the import section starting at `at`. */
function memoryLimits(module: Uint8Array, at: number): { min: number; next: number } {
  let [count, p] = readU32(module, at);
  const skip = () => ([, p] = readU32(module, p));
  const skipLimits = () => {
    const flags = module[p++];
    skip();
    if (flags & 1) skip();
  };
  for (; count > 0; count--) {
    for (const _ of [0, 1]) { // module and field names
      const [length, q] = readU32(module, p);
      p = q + length;
    }
    const kind = module[p++];
    if (kind === 0) skip(); // function: type index
    else if (kind === 1) { // table: reference type, limits
      p++;
      skipLimits();
    } else if (kind === 2) { // memory: limits
      const flags = module[p++];
      if (flags & 4) throw new WasmMemoryError("The WebAssembly module's memory is 64-bit");
      const min = p;
      skip();
      return { min, next: p };
    } else if (kind === 3) p += 2; // global: value type, mutability
    else if (kind === 4) { // tag: attribute, type index
      p++;
      skip();
    } else throw new WasmMemoryError(`The WebAssembly module has an import of unknown kind ${kind}`);
  }
  throw new WasmMemoryError("The WebAssembly module imports no memory");
}

/** An unsigned LEB128 number at `at`: its value and where the next field starts. */
function readU32(bytes: Uint8Array, at: number): [number, number] {
  let value = 0;
  for (let shift = 0; shift < 35; shift += 7) {
    const byte = bytes[at++];
    if (byte === undefined) break;
    value += (byte & 0x7f) * 2 ** shift;
    if (!(byte & 0x80)) return [value, at];
  }
  throw new WasmMemoryError(`The WebAssembly module is cut short or malformed near byte ${at}`);
}

function leb(value: number): Uint8Array {
  const out: number[] = [];
  do {
    let byte = value & 0x7f;
    value = Math.floor(value / 128);
    if (value) byte |= 0x80;
    out.push(byte);
  } while (value);
  return Uint8Array.from(out);
}

function concat(parts: Uint8Array[]): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}
