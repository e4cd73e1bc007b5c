import assert from "node:assert/strict";
import { fileURLToPath as fromFileUrl } from "node:url";
import { tempDir } from "./helpers/files.ts";

Deno.test("the machine's real node pipes a Node Readable through validate → encode → local sink", async () => {
  const dir = await tempDir();
  // Inside the repository, so that node resolves the AWS SDK from node_modules as an installed package would.
  const cache = fromFileUrl(new URL("../node_modules/.cache/", import.meta.url));
  await Deno.mkdir(cache, { recursive: true });
  const library = `${cache}parquet-storage-${crypto.randomUUID().slice(0, 8)}.mjs`;
  // What a Node.js user gets from JSR is plain JavaScript: bundle both entry points the same way.
  const entry = `${dir}/entry.ts`;
  const reexport = (path: string) => `export * from ${JSON.stringify(new URL(path, import.meta.url).href)};`;
  await Deno.writeTextFile(entry, [reexport("../mod.ts"), reexport("../local.ts")].join("\n"));
  const bundle = await new Deno.Command(Deno.execPath(), {
    // The AWS SDK stays a package import (it is loaded only for s3:// locations), as it would from JSR.
    args: ["bundle", "--quiet", "--platform", "browser", "--external", "@aws-sdk/*", "-o", library, entry],
    cwd: fromFileUrl(new URL("..", import.meta.url)),
  }).output();
  assert.equal(bundle.code, 0, new TextDecoder().decode(bundle.stderr));
  using _cleanup = { [Symbol.dispose]: () => Deno.removeSync(library) };

  const run = await new Deno.Command("node", {
    args: [fromFileUrl(new URL("./node/pipeline.mjs", import.meta.url)), library, dir],
  }).output();
  assert.equal(run.code, 0, new TextDecoder().decode(run.stderr));
  const { path, node, rows } = JSON.parse(new TextDecoder().decode(run.stdout));
  assert.match(node, /^v\d+/);
  assert.match(path, /readings_\d{8}_\d{6}_[0-9a-f]{8}\.parquet$/);
  assert.equal(rows.length, 5000);
  assert.deepEqual(rows[7], {
    id: 7,
    label: "r-7 ü",
    value: "1.000",
    taken_at: "2026-01-01T00:00:07.000000Z",
    extra: { i: 7 },
  });
  assert.equal(rows[4999].value, (4999 / 7).toFixed(3));
});
