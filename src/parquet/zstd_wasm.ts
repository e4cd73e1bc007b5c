// This module is browser compatible.

/**
 * Loads zstd's WebAssembly compressor (@bokuweb/zstd-wasm), as Deno runs it from these sources: the
 * package's own loader, which reads `zstd.wasm` from beside itself in `node_modules`. The npm package
 * puts another module in this one's place (`npm/embed_zstd.ts`), with the WebAssembly's bytes inside
 * it, so that Node.js programs bundled whole, which have no `node_modules` folder, load it too.
 *
 * @module
 */

/** zstd's compressor, once its WebAssembly is instantiated. */
export interface ZstdWasm {
  compress(input: Uint8Array, level: number): Uint8Array;
}

/** Instantiates zstd's WebAssembly; rejects where it cannot be (a runtime that compiles none from bytes). */
export async function loadZstdWasm(): Promise<ZstdWasm> {
  const zstd = await import("@bokuweb/zstd-wasm");
  await zstd.init();
  return zstd;
}
