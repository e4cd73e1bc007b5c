/**
 * The esbuild plugin through which the npm package carries zstd's WebAssembly inside its JavaScript.
 * @bokuweb/zstd-wasm's Node.js build reads `zstd.wasm` from its own folder (`__dirname`), which a user's
 * program bundled whole does not have, and its web build fetches it from beside `import.meta.url`, which
 * Node.js cannot do for `file:` URLs. So `src/parquet/zstd_wasm.ts` is replaced in the package by a module
 * that holds the WebAssembly's bytes (as base64) and instantiates them with the web build's
 * emscripten loader, which every runtime that compiles WebAssembly from bytes runs. The package then no
 * longer depends on @bokuweb/zstd-wasm: its JavaScript and WebAssembly are in one chunk of ours, loaded only
 * when ZSTD is used.
 *
 * @module
 */

import type * as esbuild from "esbuild";

/** The namespace of the replacement module, as the metafile's inputs name it. */
export const EMBEDDED = "embed-zstd";

/** What the replacement imports: the web build's loader and compressor, and the WebAssembly itself. */
const replacement = (version: string) =>
  `/*! @bokuweb/zstd-wasm ${version} (MIT License), with zstd by Meta Platforms, Inc. (BSD 3-Clause License) */
import { Module, waitInitialized } from "./dist/web/module.js";
import { compress } from "./dist/web/simple/compress.js";
import base64 from "./dist/web/zstd.wasm";

export async function loadZstdWasm() {
  // Decoded with atob, which every runtime has (esbuild's binary loader takes Node.js's Buffer).
  const wasm = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
  // Compiled here first because the emscripten loader swallows a failed compile and never settles (a
  // runtime that compiles no WebAssembly from bytes, such as workerd, must reject instead, to fall back).
  await WebAssembly.compile(wasm);
  Module.init(wasm);
  await waitInitialized();
  return { compress };
}
`;

/**
 * Replaces `src/parquet/zstd_wasm.ts` with a module holding zstd.wasm, from `root`'s `node_modules`; the
 * build's metafile lists it as an input of the namespace `embed-zstd` ({@link EMBEDDED}).
 */
export function embedZstd(root: string): esbuild.Plugin {
  const folder = `${root}node_modules/@bokuweb/zstd-wasm/`;
  const source = Deno.realPathSync(`${root}src/parquet/zstd_wasm.ts`);
  return {
    name: "embed-zstd",
    setup(build) {
      build.onResolve({ filter: /\/zstd_wasm\.ts$/ }, ({ path, resolveDir }) => {
        if (Deno.realPathSync(`${resolveDir}/${path}`) !== source) return undefined;
        return { path: `${folder}embedded_zstd.js`, namespace: EMBEDDED };
      });
      build.onLoad({ filter: /.*/, namespace: EMBEDDED }, async () => {
        const { version } = JSON.parse(await Deno.readTextFile(`${folder}package.json`));
        return { contents: replacement(version), loader: "js", resolveDir: folder };
      });
      build.onLoad({ filter: /\/zstd\.wasm$/ }, async ({ path }) => {
        if (!path.startsWith(Deno.realPathSync(folder))) return undefined;
        return { contents: await Deno.readFile(path), loader: "base64" };
      });
    },
  };
}
