/**
 * The entry points: each value they export (function, class, constant) is documented with a running
 * example, and the core (`mod.ts`) keeps to the core, the rest being behind named entry points.
 */
import assert from "node:assert/strict";

const ROOT = new URL("../", import.meta.url);
const config = JSON.parse(await Deno.readTextFile(new URL("deno.json", ROOT))) as {
  exports: Record<string, string>;
};

interface DocNode {
  name: string;
  declarations: { kind: string; jsDoc?: { doc?: string; tags?: { kind: string }[] } }[];
}

async function exported(entry: string): Promise<DocNode[]> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["doc", "--json", entry],
    cwd: ROOT,
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.ok(out.success, new TextDecoder().decode(out.stderr));
  const doc = JSON.parse(new TextDecoder().decode(out.stdout)) as {
    nodes: Record<string, { symbols?: DocNode[] }>;
  };
  return Object.values(doc.nodes).flatMap((node) => node.symbols ?? []);
}

const entries = Object.entries(config.exports);

Deno.test("entry points: deno.json names them, each a file at the root", () => {
  assert.deepEqual(entries.map(([name]) => name).sort(), [
    ".",
    "./batch",
    "./iceberg",
    "./local",
    "./platform",
    "./postgres",
    "./read",
    "./s3",
    "./schema",
    "./write",
  ]);
});

Deno.test("entry points: every exported value has an example", async () => {
  const missing: string[] = [];
  for (const [, file] of entries) {
    for (const symbol of await exported(file)) {
      for (const declaration of symbol.declarations) {
        if (!["function", "variable", "class"].includes(declaration.kind)) continue;
        const doc = declaration.jsDoc;
        const example = doc?.tags?.some((tag) => tag.kind === "example") || /```ts/.test(doc?.doc ?? "");
        if (!example) missing.push(`${file}: ${symbol.name}`);
      }
    }
  }
  assert.deepEqual(missing, []);
});

Deno.test("entry points: mod.ts is the core, at most 45 names; the rest is behind named entry points", async () => {
  const core = await exported("mod.ts");
  const names = new Set(core.map((s) => s.name));
  for (const name of ["defineTable", "writeParquet", "readParquet", "writeDataset", "ParquetStorageEngine"]) {
    assert.ok(names.has(name), name);
  }
  assert.ok(core.length <= 45, `mod.ts exports ${core.length} names: ${[...names].join(", ")}`);
  const elsewhere: Record<string, string[]> = {
    "batch.ts": ["BatchWriter", "readCommitted", "vacuum", "verifyBatch", "MANIFEST_FOLDER"],
    "postgres.ts": [
      "selectList",
      "quoteIdent",
      "introspectTable",
      "checkDrift",
      "SourceError",
      "SchemaDriftError",
    ],
    "platform.ts": ["getSchema", "listSchemas", "SCHEMA_GROUPS"],
    "iceberg.ts": ["IcebergSchemaError", "IcebergCommitConflictError", "IcebergMetadataMissingError"],
    "read.ts": ["readParquetStream", "readDatasetStream", "Filter", "OpenOptions"],
    "write.ts": [
      "ChecksumStream",
      "CODECS",
      "ENCODE_DEFAULTS",
      "parquetFileName",
      "Storage",
      "FileSink",
      "SinkError",
    ],
    "schema.ts": ["ColumnSpec", "Columns", "TableOptions", "PartitionKey", "ErrorContext"],
    "s3.ts": ["S3Options"],
  };
  for (const [entry, moved] of Object.entries(elsewhere)) {
    const there = new Set((await exported(entry)).map((s) => s.name));
    for (const name of moved) {
      assert.ok(!names.has(name), `${name} is still exported by mod.ts`);
      assert.ok(there.has(name), `${name} is not exported by ${entry}`);
    }
  }
});
