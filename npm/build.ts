/**
 * Builds the npm package from the same sources as the JSR one, into `dist/package/`, and packs it as
 * `dist/parquet-storage-engine-<version>.tgz`: `deno task npm`. Given a folder (`deno task npm /tmp/x`), builds
 * there instead of `dist/`, so tests running side by side each build their own.
 *
 * esbuild bundles each entry point as an ES module for Node.js 20, with code splitting, so that what
 * `mod.ts` loads on demand (the local disk, the AWS SDK) stays in chunks that are imported only when
 * used; every npm dependency stays an import, resolved by the user's install, except @bokuweb/zstd-wasm,
 * bundled in with its WebAssembly (`embed_zstd.ts`). tsc writes the `.d.ts` files without type checking
 * them (`deno check` does that), which the explicit types JSR asks for make possible.
 *
 * @module
 */

import * as esbuild from "esbuild";
import { EMBEDDED, embedZstd } from "./embed_zstd.ts";

const root = decodeURIComponent(new URL("..", import.meta.url).pathname);
const given = Deno.args[0]?.replace(/\/$/, "");
const dist = given ? `${given.startsWith("/") ? "" : `${Deno.cwd()}/`}${given}/` : `${root}dist/`;
const out = `${dist}package/`;
const config = JSON.parse(await Deno.readTextFile(`${root}deno.json`)) as {
  name: string;
  version: string;
  license: string;
  exports: Record<string, string>;
  imports: Record<string, string>;
};

/** The AWS SDK is needed only for s3:// locations: an optional peer, so local-only users skip it. */
const OPTIONAL_PEERS = new Set(["@aws-sdk/client-s3"]);
/** 20.16 for process.getBuiltinModule, through which BROTLI reaches Node's zlib without a node: import. */
const NODE = ">=20.16";

// Only what this script makes: a folder given may hold other things.
await Deno.remove(out, { recursive: true }).catch(() => {});

const entryPoints = Object.fromEntries(
  Object.values(config.exports).map((file) => [file.replace(/^\.\/|\.ts$/g, ""), `${root}${file}`]),
);
const built = await esbuild.build({
  entryPoints,
  outdir: out,
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20",
  packages: "external",
  chunkNames: "chunks/[name]-[hash]",
  plugins: [embedZstd(root)],
  metafile: true,
  logLevel: "warning",
});
await esbuild.stop();
if (!Object.keys(built.metafile.inputs).some((input) => input.startsWith(`${EMBEDDED}:`))) {
  throw new Error("src/parquet/zstd_wasm.ts was not imported: zstd.wasm is not embedded");
}

// Every package the output imports becomes a dependency, at the range deno.json pins.
const dependencies: Record<string, string> = {};
const peerDependencies: Record<string, string> = {};
for (const output of Object.values(built.metafile.outputs)) {
  for (const { path, external } of output.imports) {
    if (!external || path.startsWith("node:")) continue;
    const name = path.startsWith("@") ? path.split("/").slice(0, 2).join("/") : path.split("/")[0];
    const range = config.imports[name]?.match(/^npm:(?:@[^@/]+\/)?[^@]+@(.+)$/)?.[1];
    if (!range) throw new Error(`${path} is imported but deno.json has no npm: version for ${name}`);
    (OPTIONAL_PEERS.has(name) ? peerDependencies : dependencies)[name] = range;
  }
}

const tsconfig = `${dist}tsconfig.json`;
await Deno.writeTextFile(
  tsconfig,
  JSON.stringify({
    compilerOptions: {
      declaration: true,
      emitDeclarationOnly: true,
      noCheck: true,
      allowImportingTsExtensions: true,
      module: "preserve",
      moduleResolution: "bundler",
      target: "es2022",
      lib: ["esnext", "dom", "dom.iterable", "dom.asynciterable"],
      skipLibCheck: true,
      strict: true,
      types: [],
      rootDir: root,
      outDir: out,
    },
    files: Object.values(entryPoints),
  }),
);
const tsc = await new Deno.Command(Deno.execPath(), {
  args: ["run", "-A", "npm:typescript@5.9.3/tsc", "-p", tsconfig],
  cwd: root,
}).output();
if (!tsc.success) {
  throw new Error(
    `tsc failed:\n${new TextDecoder().decode(tsc.stdout)}${new TextDecoder().decode(tsc.stderr)}`,
  );
}
// The declarations import each other as .ts, as the sources do; a Node.js project resolves .js to .d.ts.
for await (const file of walk(out)) {
  if (!file.endsWith(".d.ts")) continue;
  const text = await Deno.readTextFile(file);
  await Deno.writeTextFile(
    file,
    text.replace(/((?:from |import\()["']\.{1,2}\/[^"']+)\.ts(["'])/g, "$1.js$2"),
  );
}

const exports = Object.fromEntries(
  Object.entries(config.exports).map(([subpath, file]) => {
    const name = file.replace(/^\.\/|\.ts$/g, "");
    return [subpath, { types: `./${name}.d.ts`, default: `./${name}.js` }];
  }),
);
const manifest = {
  name: config.name,
  version: config.version,
  description:
    "Stream PostgreSQL (or any) rows into immutable Parquet files on local disk or S3, validated against Valibot schemas, and read them back.",
  license: config.license,
  type: "module",
  engines: { node: NODE },
  exports,
  sideEffects: false,
  dependencies: sorted(dependencies),
  peerDependencies: sorted(peerDependencies),
  peerDependenciesMeta: Object.fromEntries(
    Object.keys(peerDependencies).map((name) => [name, { optional: true }]),
  ),
};
await Deno.writeTextFile(`${out}package.json`, JSON.stringify(manifest, null, 2) + "\n");
await Deno.copyFile(`${root}README.md`, `${out}README.md`);

const pack = await new Deno.Command("npm", {
  args: ["pack", "--silent", "--pack-destination", dist],
  cwd: out,
}).output();
if (!pack.success) throw new Error(`npm pack failed:\n${new TextDecoder().decode(pack.stderr)}`);
console.log(`${dist}${new TextDecoder().decode(pack.stdout).trim()}`);

async function* walk(folder: string): AsyncGenerator<string> {
  for await (const entry of Deno.readDir(folder)) {
    const path = `${folder}${entry.name}`;
    if (entry.isDirectory) yield* walk(`${path}/`);
    else yield path;
  }
}

function sorted(record: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => a.localeCompare(b)));
}
