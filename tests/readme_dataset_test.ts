/**
 * The README's dataset example, run as printed, with the `logs` table and `rows` it takes from the
 * examples before it. It once declared `const rows = await readDataset(…)` while writing `rows`, which
 * throws before anything runs.
 *
 * @module
 */

import assert from "node:assert/strict";
import { tempDir } from "./helpers/files.ts";

const root = new URL("..", import.meta.url);

Deno.test("the README's partitioned dataset example runs as printed", async () => {
  const readme = await Deno.readTextFile(new URL("README.md", root));
  const section = readme.slice(readme.indexOf("\n## Partitioned datasets\n")).split(/\n## /)[1];
  const block = section.match(/```ts\n([\s\S]*?)```/)?.[1];
  assert.ok(block, "the section has a ts block");
  const imports = block.split("\n").filter((line) => line.startsWith("import "));
  const body = block.split("\n").filter((line) => !line.startsWith("import ")).join("\n");
  const program = [
    ...imports,
    'import { defineTable, int, text, timestamptz } from "@parquet-storage/engine";',
    'const logs = defineTable("logs", { project_id: int(), created_at: timestamptz(), message: text() });',
    "const rows = [",
    '  { project_id: 42, created_at: "2026-11-02T00:00:00Z", message: "kept" },',
    '  { project_id: 42, created_at: "2026-10-31T23:59:59Z", message: "pruned by month" },',
    '  { project_id: 7, created_at: "2026-11-03T00:00:00Z", message: "pruned by project" },',
    "];",
    body,
    "console.log(JSON.stringify(recent));",
  ].join("\n");
  const dir = await tempDir();
  await Deno.writeTextFile(`${dir}/example.ts`, program);
  const run = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--config", new URL("deno.json", root).pathname, "example.ts"],
    cwd: dir,
  }).output();
  const stderr = new TextDecoder().decode(run.stderr);
  assert.equal(run.code, 0, stderr);
  const lines = new TextDecoder().decode(run.stdout).trim().split("\n");
  assert.deepEqual(JSON.parse(lines.at(-1)!), [
    { project_id: 42, created_at: "2026-11-02T00:00:00.000000Z", message: "kept" },
  ]);
  assert.ok(lines.some((line) => line.startsWith("pruned ")), lines.join("\n"));
});
