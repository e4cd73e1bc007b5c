/**
 * The npm package as a Node.js user gets it: built by `deno task npm` into a folder of this test
 * process's own (test files running side by side never share one), packed with `npm pack`, and installed
 * from the tarball into empty folders.
 *
 * @module
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { tempDir } from "./files.ts";

const root = new URL("../..", import.meta.url);
const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

let packed: Promise<string> | undefined;

/** Builds and packs the package once per test process; resolves to the tarball's path. */
export function packPackage(): Promise<string> {
  return packed ??= (async () => {
    const build = await new Deno.Command(Deno.execPath(), {
      args: ["task", "--quiet", "npm", await tempDir()],
      cwd: root,
    }).output();
    assert.equal(build.code, 0, decode(build.stderr));
    return decode(build.stdout).trim().split("\n").at(-1)!;
  })();
}

/** The npm range deno.json pins for `name` (`@aws-sdk/client-s3@^3.…`), to install beside the package. */
export async function pinned(name: string): Promise<string> {
  const { imports } = JSON.parse(await Deno.readTextFile(new URL("deno.json", root)));
  return (imports[name] as string).replace(/^npm:/, "");
}

/** A fresh folder with the tarball installed by `npm install`, and `extra` packages beside it. */
export async function installPackage(extra: string[] = []): Promise<string> {
  const tarball = await packPackage();
  const dir = await tempDir();
  await Deno.writeTextFile(join(dir, "package.json"), JSON.stringify({ name: "user", private: true }));
  const install = await new Deno.Command("npm", {
    args: ["install", "--no-audit", "--no-fund", "--loglevel=error", tarball, ...extra],
    cwd: dir,
  }).output();
  assert.equal(install.code, 0, decode(install.stderr));
  return dir;
}
