/**
 * The house's rules, checked on the import graph that `deno info --json` gives for every source file:
 * no import cycle between files, no room importing a room above it (DESIGN.md's order), and no source
 * or test file over ~300 lines without a reason written at its top.
 */
import assert from "node:assert/strict";

const ROOT = new URL("../", import.meta.url);
const ENTRY_POINTS = Object.values(
  (JSON.parse(await Deno.readTextFile(new URL("../deno.json", import.meta.url))) as {
    exports: Record<string, string>;
  })
    .exports,
).map((file) => file.replace(/^\.\//, ""));

/**
 * Each room's height: a file may import files of its own room and of rooms strictly lower, never a room
 * of the same height (sideways) or above. DESIGN.md: cli → export → postgres, streams, storage → sinks,
 * parquet → schema. `read` reads files, datasets and committed batches (parquet, storage, schema);
 * `export` holds every write (`writeParquet`, `writeDataset`, batches, runs), which the facade
 * (`engine`) wraps; `platform` is one customer's tables, built from `schema` only.
 */
const HEIGHT: Record<string, number> = {
  errors: 0,
  schema: 1,
  parquet: 2,
  sinks: 2,
  platform: 2,
  streams: 3,
  storage: 3,
  postgres: 3,
  read: 4,
  export: 5,
  engine: 6,
  cli: 7,
  entry: 8,
};

/** The room a file (relative to the repository root) lives in. */
function roomOf(path: string): string {
  if (ENTRY_POINTS.includes(path)) return "entry";
  const parts = path.split("/");
  if (parts[0] === "platform") return "platform";
  if (parts[0] !== "src") throw new Error(`${path} is in no room`);
  if (parts.length > 2) return parts[1];
  return ({
    "errors.ts": "errors",
    "engine.ts": "engine",
  } as Record<string, string>)[parts[1]] ?? `src/${parts[1]}`;
}

async function sourceFiles(): Promise<string[]> {
  const files = [...ENTRY_POINTS];
  const walk = async (dir: string) => {
    for await (const entry of Deno.readDir(new URL(dir, ROOT))) {
      const path = `${dir}${entry.name}`;
      if (entry.isDirectory) await walk(`${path}/`);
      else if (/\.(ts|js)$/.test(entry.name)) files.push(path);
    }
  };
  await walk("src/");
  await walk("platform/");
  return files.sort();
}

interface ModuleInfo {
  specifier: string;
  dependencies?: { code?: { specifier?: string }; type?: { specifier?: string } }[];
}

/** Every source file and the source files it imports (value, type and dynamic imports alike). */
async function importGraph(files: string[]): Promise<Map<string, string[]>> {
  const dir = await Deno.makeTempDir();
  const all = `${dir}/all.ts`;
  await Deno.writeTextFile(all, files.map((f) => `import "${new URL(f, ROOT).href}";\n`).join(""));
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json", "--config", new URL("deno.json", ROOT).pathname, all],
    stdout: "piped",
    stderr: "piped",
  }).output();
  await Deno.remove(dir, { recursive: true });
  assert.ok(out.success, new TextDecoder().decode(out.stderr));
  const info = JSON.parse(new TextDecoder().decode(out.stdout)) as { modules: ModuleInfo[] };
  const local = (specifier: string | undefined): string | undefined =>
    specifier?.startsWith(ROOT.href) ? specifier.slice(ROOT.href.length) : undefined;
  const graph = new Map<string, string[]>();
  for (const module of info.modules) {
    const from = local(module.specifier);
    if (from === undefined || !files.includes(from)) continue;
    const to = new Set<string>();
    for (const dep of module.dependencies ?? []) {
      for (const target of [local(dep.code?.specifier), local(dep.type?.specifier)]) {
        if (target !== undefined && target !== from) to.add(target);
      }
    }
    graph.set(from, [...to].sort());
  }
  return graph;
}

/** The cycles of a graph, one per strongly connected component of more than one file. */
function cycles(graph: Map<string, string[]>): string[][] {
  let index = 0;
  const order = new Map<string, number>(), low = new Map<string, number>();
  const stack: string[] = [], onStack = new Set<string>(), found: string[][] = [];
  const visit = (v: string) => {
    order.set(v, index);
    low.set(v, index++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!order.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, order.get(w)!));
    }
    if (low.get(v) === order.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1) found.push(component.sort());
    }
  };
  for (const v of graph.keys()) if (!order.has(v)) visit(v);
  return found;
}

/** Imports that go sideways or up, as `from → to (room → room)`. */
function upwardImports(graph: Map<string, string[]>): string[] {
  const wrong: string[] = [];
  for (const [from, targets] of graph) {
    const a = roomOf(from);
    for (const to of targets) {
      const b = roomOf(to);
      if (a === b) continue;
      if (!(a in HEIGHT) || !(b in HEIGHT) || HEIGHT[b] >= HEIGHT[a]) {
        wrong.push(`${from} → ${to} (${a} → ${b})`);
      }
    }
  }
  return wrong.sort();
}

const files = await sourceFiles();
const graph = await importGraph(files);

Deno.test("layout: the graph covers every source file", () => {
  assert.deepEqual([...graph.keys()].sort(), files);
  assert.ok(graph.get("mod.ts")!.includes("src/errors.ts"));
});

Deno.test("layout: no import cycle between files", () => {
  assert.deepEqual(cycles(graph), []);
});

Deno.test("layout: the cycle finder finds a cycle, and a clean graph has none", () => {
  const cyclic = new Map([["a", ["b"]], ["b", ["c"]], ["c", ["a"]], ["d", ["a"]]]);
  assert.deepEqual(cycles(cyclic), [["a", "b", "c"]]);
  assert.deepEqual(cycles(new Map([["a", ["b"]], ["b", []]])), []);
});

Deno.test("layout: every file lives in a known room", () => {
  assert.deepEqual(files.map(roomOf).filter((room) => !(room in HEIGHT)), []);
});

Deno.test("layout: no room imports a room beside or above it", () => {
  assert.deepEqual(upwardImports(graph), []);
  // The rule itself: an upward and a sideways import are both refused.
  const wrong = new Map([
    ["src/schema/table.ts", ["src/parquet/footer.ts"]],
    ["src/sinks/s3_sink.ts", ["src/parquet/footer.ts"]],
    ["src/export/verify.ts", ["src/read/committed.ts"]],
  ]);
  assert.deepEqual(upwardImports(wrong), [
    "src/schema/table.ts → src/parquet/footer.ts (schema → parquet)",
    "src/sinks/s3_sink.ts → src/parquet/footer.ts (sinks → parquet)",
  ]);
});

/** The files of `files` over 300 lines with no "Why one file:" in their first 40 lines. */
async function longWithoutReason(files: string[]): Promise<string[]> {
  const long: string[] = [];
  for (const file of files) {
    const text = await Deno.readTextFile(new URL(file, ROOT));
    const lines = text.split("\n");
    if (lines.length <= 300) continue;
    if (!/Why one file:/.test(lines.slice(0, 40).join("\n"))) long.push(`${file} (${lines.length} lines)`);
  }
  return long;
}

Deno.test("layout: a source file over 300 lines says at its top why it is one file", async () => {
  assert.deepEqual(await longWithoutReason(files), []);
});

Deno.test("layout: a test file over 300 lines says at its top why it is one file", async () => {
  const tests: string[] = [];
  const walk = async (dir: string) => {
    for await (const entry of Deno.readDir(new URL(dir, ROOT))) {
      const path = `${dir}${entry.name}`;
      if (entry.isDirectory) await walk(`${path}/`);
      else if (/\.(ts|js)$/.test(entry.name)) tests.push(path);
    }
  };
  await walk("tests/");
  assert.ok(tests.includes("tests/layout_test.ts"));
  assert.deepEqual(await longWithoutReason(tests.sort()), []);
});
