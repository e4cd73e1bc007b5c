/**
 * Every code block of README.md runs as written, or says it is an excerpt. The line right above each
 * fenced block (blank lines between are allowed) must be one of:
 *
 * - `<!-- run -->`: this test runs the block by itself in an empty folder (`ts`/`js` with `deno run -A`
 *   and the repository's deno.json, so `@parquet-storage/engine` is the sources; `sh` with bash from the
 *   repository's root), and the block must exit 0.
 * - `<!-- run by tests/x_test.ts -->`: that test reads the block from README.md and runs it; checked here
 *   by the file existing, reading README.md and naming the heading the block sits under.
 * - `<!-- excerpt -->`: a fragment (it uses names from elsewhere, or needs a bucket, a server, a network).
 *
 * @module
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { tempDir } from "./helpers/files.ts";
import { DATABASE_URL } from "./helpers/pg.ts";

const root = new URL("..", import.meta.url);
const README = new URL("README.md", root);

/** A fenced block of the README, with what the line above it says about it. */
interface Block {
  /** The line of the opening fence, counting from 1. */
  line: number;
  language: string;
  code: string;
  /** The nearest heading above, as written (`### In a Worker`). */
  heading: string;
  marker: { kind: "run" } | { kind: "excerpt" } | { kind: "run by"; file: string } | undefined;
}

const HOW_TO_MARK = [
  "Put one of these lines right above the block:",
  "  <!-- run -->                      tests/readme_test.ts runs it alone in an empty folder (ts/js/sh)",
  "  <!-- run by tests/x_test.ts -->   tests/x_test.ts reads this block from README.md and runs it",
  "  <!-- excerpt -->                  a fragment that is not meant to run as it stands",
].join("\n");

/** Splits the README into its fenced blocks, reading the marker above each. */
function readmeBlocks(text: string): Block[] {
  const lines = text.split("\n");
  const blocks: Block[] = [];
  let heading = "(top)";
  for (let i = 0; i < lines.length; i++) {
    const open = lines[i].match(/^(`{3,}|~{3,})\s*([\w+-]*)/);
    if (!open) {
      if (/^#{1,6} /.test(lines[i])) heading = lines[i].trim();
      continue;
    }
    const fence = open[1];
    let end = i + 1;
    while (end < lines.length && !lines[end].startsWith(fence)) end++;
    assert.ok(end < lines.length, `README.md line ${i + 1}: the block opened here is never closed`);
    let above = i - 1;
    while (above >= 0 && lines[above].trim() === "") above--;
    blocks.push({
      line: i + 1,
      language: open[2] || "(none)",
      code: lines.slice(i + 1, end).join("\n") + "\n",
      heading,
      marker: parseMarker(above >= 0 ? lines[above] : ""),
    });
    i = end;
  }
  return blocks;
}

function parseMarker(line: string): Block["marker"] {
  const match = line.trim().match(/^<!--\s*(run by\s+(\S+)|run|excerpt)\s*-->$/);
  if (!match) return undefined;
  if (match[2]) return { kind: "run by", file: match[2] };
  return { kind: match[1] as "run" | "excerpt" };
}

const where = (block: Block) =>
  `README.md line ${block.line} (the ${block.language} block under "${block.heading}")`;

const blocks = readmeBlocks(await Deno.readTextFile(README));

Deno.test("every README code block is marked: run, run by a test, or excerpt", () => {
  const unmarked = blocks.filter((block) => !block.marker);
  assert.deepEqual(
    unmarked.map(where),
    [],
    `${unmarked.length} README block(s) have no marker line.\n${HOW_TO_MARK}`,
  );
  const unrunnable = blocks.filter((b) => b.marker?.kind === "run" && !RUNNERS[b.language]);
  assert.deepEqual(
    unrunnable.map(where),
    [],
    `<!-- run --> takes ${Object.keys(RUNNERS).join(", ")} blocks: mark these "run by" a test or excerpt`,
  );
});

Deno.test("every README block said to be run by a test is read by that test", async () => {
  for (const block of blocks) {
    if (block.marker?.kind !== "run by") continue;
    const { file } = block.marker;
    let source: string;
    try {
      source = await Deno.readTextFile(new URL(file, root));
    } catch {
      assert.fail(`${where(block)} says <!-- run by ${file} -->, but there is no such file`);
    }
    const title = block.heading.replace(/^#+\s*/, "");
    assert.ok(
      source.includes("README.md") && source.includes(title),
      `${where(block)} says <!-- run by ${file} -->, but ${file} does not read README.md and name ` +
        `"${title}": make the test take the block from the README, or mark it <!-- excerpt -->`,
    );
  }
});

/** How a `<!-- run -->` block is run, by language: the command for the block saved at `path`. */
const RUNNERS: Record<string, (path: string) => [string, ...string[]]> = {
  ts: deno,
  js: deno,
  sh: (path) => ["bash", "-euo", "pipefail", path],
};

function deno(path: string): [string, ...string[]] {
  const config = decodeURIComponent(new URL("deno.json", root).pathname);
  return [Deno.execPath(), "run", "-A", "--config", config, path];
}

for (const block of blocks) {
  if (block.marker?.kind !== "run" || !RUNNERS[block.language]) continue;
  Deno.test(`${where(block)} runs as written`, async () => {
    const dir = await tempDir();
    const path = join(dir, `example.${block.language}`);
    await Deno.writeTextFile(path, block.code);
    const [command, ...args] = RUNNERS[block.language](path);
    const run = await new Deno.Command(command, {
      args,
      // Shell blocks are written for the repository's root (`deno task …`); programs for any folder.
      cwd: block.language === "sh" ? decodeURIComponent(root.pathname) : dir,
      env: { DATABASE_URL },
      signal: AbortSignal.timeout(120_000),
    }).output();
    const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
    assert.equal(
      run.code,
      0,
      `${where(block)} failed (exit ${run.code}); fix the block, or mark it <!-- excerpt --> if it is a ` +
        `fragment.\n--- stdout\n${decode(run.stdout)}\n--- stderr\n${decode(run.stderr)}`,
    );
  });
}
