/**
 * A real S3 server for tests: the single-node Ceph RADOS Gateway from `../shared/s3/start-rgw.sh`,
 * started if nothing answers yet, and a fresh bucket per test, emptied and removed afterwards.
 *
 * @module
 */

import {
  AbortMultipartUploadCommand,
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  S3Client,
} from "@aws-sdk/client-s3";
import { fileURLToPath } from "node:url";
import type { S3Options } from "../../src/sinks/sink.ts";
import { s3ClientConfig } from "../../src/sinks/s3_location.ts";

const REPO = fileURLToPath(new URL("../../", import.meta.url));
const START_SCRIPT = `${REPO}../shared/s3/start-rgw.sh`; // <repo>/../shared/s3
const RGW_DIR = Deno.env.get("RGW_DIR") ?? "/tmp/ceph-rgw";
const PORT = Number(Deno.env.get("RGW_PORT") ?? 7480);

/** How to reach the test server. */
export interface S3Server {
  /** The `AWS_*` variables start-rgw.sh printed. */
  env: Record<string, string>;
  /** The same as {@link S3Options}, for building clients and sinks without touching the environment. */
  options: S3Options & { credentials: { accessKeyId: string; secretAccessKey: string } };
}

let server: Promise<S3Server> | undefined;

/** Makes sure the gateway answers on 127.0.0.1 (starting the cluster if needed) and says how to reach it. */
export function s3Server(): Promise<S3Server> {
  return server ??= start();
}

async function start(): Promise<S3Server> {
  const command = new Deno.Command("bash", { args: [START_SCRIPT], stdout: "piped", stderr: "piped" });
  const { code, stdout, stderr } = await command.output();
  const text = new TextDecoder().decode(stdout);
  if (code !== 0) {
    throw new Error(`start-rgw.sh failed (exit ${code}): ${new TextDecoder().decode(stderr)}`);
  }
  const line = text.split("\n").find((l) => l.startsWith("export "));
  if (!line) throw new Error(`start-rgw.sh printed no export line: ${text}`);
  const env = Object.fromEntries(
    line.slice("export ".length).trim().split(/\s+/).map((pair) => {
      const at = pair.indexOf("=");
      return [pair.slice(0, at), pair.slice(at + 1)];
    }),
  );
  await waitUntilUp();
  await reclaimDeletedData();
  return {
    env,
    options: {
      endpoint: env.AWS_ENDPOINT_URL,
      region: env.AWS_REGION,
      credentials: { accessKeyId: env.AWS_ACCESS_KEY_ID, secretAccessKey: env.AWS_SECRET_ACCESS_KEY },
    },
  };
}

/**
 * The gateway frees a deleted object's data only after its garbage collector's wait (2 h by default), and
 * the test cluster holds 2 GiB in memory: a few dozen test runs fill it, and then every write hangs.
 * So: collect now what earlier runs left, and from now on right away. Best effort (the server may be
 * remote, or already set up): a failure here only means space comes back later.
 */
async function reclaimDeletedData(): Promise<void> {
  const socket = `${RGW_DIR}/run/client.rgw.asok`;
  for (const [option, value] of Object.entries(GC_SETTINGS)) {
    await run("ceph", ["--admin-daemon", socket, "config", "set", option, value]);
  }
  await run("radosgw-admin", ["-c", `${RGW_DIR}/ceph.conf`, "gc", "process", "--include-all"]);
}

const GC_SETTINGS = { rgw_gc_obj_min_wait: "0", rgw_gc_processor_period: "10" };

async function run(command: string, args: string[]): Promise<void> {
  try {
    const child = new Deno.Command(command, { args, stdin: "null", stdout: "null", stderr: "null" }).spawn();
    const timer = setTimeout(() => child.kill("SIGKILL"), 60_000);
    await child.status;
    clearTimeout(timer);
  } catch {
    // not installed here: nothing to do
  }
}

/** True when a gateway answers HTTP on `port`. */
export async function gatewayUp(port = PORT): Promise<boolean> {
  try {
    const response = await fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(2000) });
    await response.body?.cancel();
    return true;
  } catch {
    return false;
  }
}

/** Waits until a gateway answers on `port`, or throws after `seconds`. */
export async function waitUntilUp(seconds = 60, port = PORT): Promise<void> {
  for (let i = 0; i < seconds * 4; i++) {
    if (await gatewayUp(port)) return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`the S3 gateway did not answer on 127.0.0.1:${port} within ${seconds} s`);
}

/** A gateway of its own for a test that stops it: the shared one stays up for the other tests. */
export interface PrivateGateway extends AsyncDisposable {
  /** The settings to reach it (same cluster, same users and buckets, its own port). */
  options: S3Server["options"];
  /** The PID of the running radosgw process. */
  readonly pid: number;
  /** Kills the gateway process (SIGKILL, no goodbye), as a crash or a lost host would. */
  kill(): Promise<void>;
  /** Starts it again with the same command, and waits until it answers. */
  restart(): Promise<void>;
}

/**
 * Starts a second radosgw on the shared cluster, on port RGW_PORT + 1, in the foreground as a child of
 * this process: started the way start-rgw.sh starts the shared one (`radosgw -c ceph.conf -n client.rgw`),
 * with its own port, pid file, admin socket and log, so that killing it disturbs nothing else.
 */
export async function privateGateway(): Promise<PrivateGateway> {
  const { options } = await s3Server();
  const port = PORT + 1;
  const run = `${RGW_DIR}/run/client.rgw-private`;
  const args = [
    "-f",
    "-c",
    `${RGW_DIR}/ceph.conf`,
    "-n",
    "client.rgw",
    "--rgw_frontends",
    `beast endpoint=127.0.0.1:${port}`,
    "--pid_file",
    `${run}.pid`,
    "--admin_socket",
    `${run}.asok`,
    "--log_file",
    `${RGW_DIR}/log/client.rgw-private.log`,
    ...Object.entries(GC_SETTINGS).flatMap(([option, value]) => [`--${option}`, value]),
  ];
  let child: Deno.ChildProcess | undefined;
  const launch = async () => {
    child = new Deno.Command("radosgw", { args, stdin: "null", stdout: "null", stderr: "null" }).spawn();
    await waitUntilUp(60, port);
  };
  const stop = async (signal: Deno.Signal) => {
    if (!child) return;
    const running = child;
    child = undefined;
    running.kill(signal);
    const timer = setTimeout(() => running.kill("SIGKILL"), 10_000);
    await running.status;
    clearTimeout(timer);
  };
  // Should the test die before disposing of it, the gateway must not outlive the test process.
  globalThis.addEventListener("unload", () => child?.kill("SIGKILL"));
  await launch();
  return {
    options: { ...options, endpoint: `http://127.0.0.1:${port}` },
    get pid() {
      return child?.pid ?? 0;
    },
    kill: () => stop("SIGKILL"),
    restart: launch,
    // A graceful stop: a killed gateway's watches on the cluster linger for 30 s, and while they do
    // every bucket deletion waits for them.
    [Symbol.asyncDispose]: () => stop("SIGTERM"),
  };
}

/** A fresh bucket and a client for it. */
export interface TestBucket extends AsyncDisposable {
  /** The bucket name, unique per test. */
  name: string;
  /** A client with the server's settings. */
  client: S3Client;
  /** The server's settings. */
  options: S3Server["options"];
  /** `s3://bucket/key`. */
  url(key: string): string;
  /** True when an object exists at `key`. */
  exists(key: string): Promise<boolean>;
  /** The multipart uploads still open in the bucket. */
  openUploads(): Promise<{ key: string; uploadId: string }[]>;
}

/** Creates a unique bucket; `await using` it to empty and remove it afterwards. */
export async function testBucket(label = "test"): Promise<TestBucket> {
  const { options } = await s3Server();
  const client = new S3Client(s3ClientConfig(options));
  const name = `${label}-${Date.now().toString(36)}-${crypto.randomUUID().slice(0, 8)}`;
  await client.send(new CreateBucketCommand({ Bucket: name }));
  const openUploads = async () => {
    const page = await client.send(new ListMultipartUploadsCommand({ Bucket: name }));
    return (page.Uploads ?? []).map((u) => ({ key: u.Key!, uploadId: u.UploadId! }));
  };
  return {
    name,
    client,
    options,
    url: (key) => `s3://${name}/${key}`,
    async exists(key) {
      try {
        await client.send(new HeadObjectCommand({ Bucket: name, Key: key }));
        return true;
      } catch (error) {
        if ((error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404) {
          return false;
        }
        throw error;
      }
    },
    openUploads,
    async [Symbol.asyncDispose]() {
      try {
        for (const { key, uploadId } of await openUploads()) {
          await client.send(new AbortMultipartUploadCommand({ Bucket: name, Key: key, UploadId: uploadId }));
        }
        let token: string | undefined;
        do {
          const page = await client.send(
            new ListObjectsV2Command({ Bucket: name, ContinuationToken: token }),
          );
          for (const object of page.Contents ?? []) {
            await client.send(new DeleteObjectCommand({ Bucket: name, Key: object.Key! }));
          }
          token = page.IsTruncated ? page.NextContinuationToken : undefined;
        } while (token);
        await client.send(new DeleteBucketCommand({ Bucket: name }));
      } finally {
        client.destroy();
      }
    },
  };
}
