// This module is browser compatible.

/**
 * `s3://bucket/key` locations, and the S3 client built from {@link S3Options} and the standard `AWS_*`
 * environment variables. No Deno- or Node-only API is required: the environment is read only where the
 * runtime has one, and an environment the program may not read counts as unset.
 *
 * @module
 */

import { S3Client, type S3ClientConfig } from "@aws-sdk/client-s3";
import { ReadError, SinkError } from "../errors.ts";
import type { S3Options } from "./sink.ts";

/** A parsed `s3://` location. */
export interface S3Location {
  /** The bucket name. */
  bucket: string;
  /** The object key, or a key prefix when listing (may then be empty); taken literally, not URL-decoded. */
  key: string;
}

/**
 * What a location is parsed for, which decides the error class and whether a key is required:
 * `"write"` (a {@link SinkError}, key required), `"read"` (a {@link ReadError}, key required),
 * `"list"` (a {@link ReadError}, the key is a prefix and may be empty).
 */
export type S3LocationUse = "write" | "read" | "list";

/**
 * Default number of attempts per S3 request (the first try and its retries).
 *
 * @example
 * ```ts
 * import { S3_MAX_ATTEMPTS } from "@parquet-storage/engine/s3";
 * console.assert(S3_MAX_ATTEMPTS === 5);
 * ```
 */
export const S3_MAX_ATTEMPTS = 5;

/**
 * Connection and idle timeouts of S3 requests, in milliseconds: a connection is made within 10 s, and a
 * request that moves no byte for 2 minutes is given up (and retried). `S3Options.idleTimeout` sets the
 * second.
 *
 * @example
 * ```ts
 * import { S3_TIMEOUTS } from "@parquet-storage/engine/s3";
 * console.assert(S3_TIMEOUTS.connectionTimeout === 10_000);
 * ```
 */
export const S3_TIMEOUTS: { connectionTimeout: number; socketTimeout: number } = {
  connectionTimeout: 10_000,
  socketTimeout: 120_000,
};

const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/**
 * Splits `s3://bucket/key` into bucket and key, refusing anything that is not one.
 *
 * @example
 * ```ts
 * import { parseS3Location } from "./s3_location.ts";
 * const { bucket, key } = parseS3Location("s3://lake/borehole/a.parquet");
 * console.assert(bucket === "lake" && key === "borehole/a.parquet");
 * ```
 */
export function parseS3Location(location: string, use: S3LocationUse = "read"): S3Location {
  const fail = (why: string): never => {
    const message = `Cannot use ${JSON.stringify(location)} as an S3 location: ${why}`;
    throw use === "write" ? new SinkError(message) : new ReadError(message);
  };
  if (typeof location !== "string" || !location.startsWith("s3://")) {
    fail("expected s3://bucket/key");
  }
  const rest = location.slice("s3://".length);
  const slash = rest.indexOf("/");
  const bucket = slash === -1 ? rest : rest.slice(0, slash);
  const key = slash === -1 ? "" : rest.slice(slash + 1);
  if (!BUCKET.test(bucket) || bucket.includes("..")) {
    fail(
      `the bucket name must be 3 to 63 lowercase letters, digits, "." or "-": current value is ${
        JSON.stringify(bucket)
      }`,
    );
  }
  if (use !== "list") {
    if (key === "") fail("the object key is missing");
    if (key.endsWith("/")) fail('an object key cannot end with "/"');
  }
  if (key.startsWith("/")) fail('the key starts with "/" (two slashes after the bucket)');
  if (new TextEncoder().encode(key).length > 1024) fail("the key is longer than 1024 bytes");
  return { bucket, key };
}

/**
 * Formats a bucket and key as `s3://bucket/key`.
 *
 * @example
 * ```ts
 * import { formatS3Location } from "./s3_location.ts";
 * console.assert(formatS3Location("lake", "a/b.parquet") === "s3://lake/a/b.parquet");
 * ```
 */
export function formatS3Location(bucket: string, key: string): string {
  return `s3://${bucket}/${key}`;
}

/**
 * The S3 client configuration for `options`, with unset fields from the environment: endpoint from
 * `AWS_ENDPOINT_URL_S3` or `AWS_ENDPOINT_URL`, region from `AWS_REGION` or `AWS_DEFAULT_REGION` (else
 * `us-east-1`), credentials from `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY` and `AWS_SESSION_TOKEN`
 * (else the SDK's own chain), attempts from `AWS_MAX_ATTEMPTS`. Path-style addressing is on when an
 * endpoint is set, as S3-compatible stores (Ceph, MinIO) expect.
 *
 * @example
 * ```ts
 * import { s3ClientConfig } from "./s3_location.ts";
 * const config = s3ClientConfig({ endpoint: "http://127.0.0.1:7480", region: "us-east-1" });
 * console.assert(config.forcePathStyle === true && config.region === "us-east-1");
 * ```
 */
export function s3ClientConfig(options: S3Options = {}): S3ClientConfig {
  const endpoint = options.endpoint ?? readEnv("AWS_ENDPOINT_URL_S3") ?? readEnv("AWS_ENDPOINT_URL");
  const accessKeyId = readEnv("AWS_ACCESS_KEY_ID");
  const secretAccessKey = readEnv("AWS_SECRET_ACCESS_KEY");
  const sessionToken = readEnv("AWS_SESSION_TOKEN");
  const credentials = options.credentials ??
    (accessKeyId && secretAccessKey ? { accessKeyId, secretAccessKey, sessionToken } : undefined);
  const maxAttempts = options.maxAttempts ?? positiveInteger(readEnv("AWS_MAX_ATTEMPTS")) ?? S3_MAX_ATTEMPTS;
  if (!Number.isInteger(maxAttempts) || maxAttempts < 1) {
    throw new SinkError(
      `Cannot configure S3 as maxAttempts must be a positive integer: current value is ${maxAttempts}`,
    );
  }
  const idleTimeout = checkedIdleTimeout(options);
  return {
    region: options.region ?? readEnv("AWS_REGION") ?? readEnv("AWS_DEFAULT_REGION") ?? "us-east-1",
    ...(endpoint === undefined ? {} : { endpoint }),
    forcePathStyle: options.forcePathStyle ?? endpoint !== undefined,
    ...(credentials === undefined ? {} : { credentials }),
    // The SDK's standard retry mode: exponential backoff with jitter, on throttling, 5xx and network errors.
    maxAttempts,
    retryMode: "standard",
    // The SDK waits forever by default: a store that stalls (full, overloaded, half-open connection) would
    // hang a write for good. These make it fail, and retry, instead.
    requestHandler: { ...S3_TIMEOUTS, socketTimeout: idleTimeout },
    // The SDK's default user agent asks the OS for its release, which a sandboxed runtime (Deno without
    // --allow-sys, an edge worker) refuses; a fixed one needs no permission.
    defaultUserAgentProvider: () => Promise.resolve([["parquet-storage"], ["lang/js"]]),
  };
}

function checkedIdleTimeout(options: S3Options): number {
  const idleTimeout = options.idleTimeout ?? S3_TIMEOUTS.socketTimeout;
  if (!(typeof idleTimeout === "number" && idleTimeout > 0 && Number.isFinite(idleTimeout))) {
    throw new SinkError(
      `Cannot configure S3 as idleTimeout must be a positive number of milliseconds: current value is ${idleTimeout}`,
    );
  }
  return idleTimeout;
}

/**
 * How long a sink lets one request run, all its attempts together, before giving it up: a guard
 * should the HTTP client's idle timeout not work (a runtime's fetch has none). Each attempt may be
 * idle for `idleTimeout`, and 30 s more cover connecting (10 s) and the SDK's backoff (20 s at most).
 *
 * @example
 * ```ts
 * import { s3RequestDeadline } from "./s3_location.ts";
 * console.assert(s3RequestDeadline({ idleTimeout: 1000, maxAttempts: 2 }) === 62_000);
 * ```
 */
export function s3RequestDeadline(options: S3Options = {}): number {
  const { maxAttempts = positiveInteger(readEnv("AWS_MAX_ATTEMPTS")) ?? S3_MAX_ATTEMPTS } = options;
  return maxAttempts * (checkedIdleTimeout(options) + 30_000);
}

/**
 * Builds an S3 client from `options` and the `AWS_*` environment (see {@link s3ClientConfig}).
 *
 * @example
 * ```ts
 * import { createS3Client } from "./s3_location.ts";
 * const client = createS3Client({ endpoint: "http://127.0.0.1:7480" });
 * console.assert(client.config.forcePathStyle === true);
 * client.destroy();
 * ```
 */
export function createS3Client(options: S3Options = {}): S3Client {
  return new S3Client(s3ClientConfig(options));
}

/** One environment variable, or `undefined` where there is no environment or it may not be read. */
export function readEnv(name: string): string | undefined {
  const runtime = globalThis as {
    Deno?: { env?: { get(name: string): string | undefined } };
    process?: { env?: Record<string, string | undefined> };
  };
  try {
    const value = runtime.Deno?.env ? runtime.Deno.env.get(name) : runtime.process?.env?.[name];
    return value === "" ? undefined : value;
  } catch {
    // Deno without --allow-env throws here: an environment we may not read is an empty one.
    return undefined;
  }
}

function positiveInteger(text: string | undefined): number | undefined {
  const value = Number(text);
  return text !== undefined && Number.isInteger(value) && value > 0 ? value : undefined;
}

/** The HTTP status of a failed S3 request, if it got that far. */
export function s3Status(error: unknown): number | undefined {
  return (error as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode;
}

/**
 * A short account of an S3 failure: the error code, its message when it says more than the code, and
 * the HTTP status, e.g. `PreconditionFailed, HTTP 412` or `ECONNREFUSED, connect ECONNREFUSED 127.0.0.1:7480`.
 */
export function describeS3Error(error: unknown): string {
  if (!(error instanceof Object)) return String(error);
  const { name, message, code } = error as { name?: string; message?: string; code?: string };
  const label = code ?? (name && name !== "Error" ? name : undefined);
  const status = s3Status(error);
  return [
    label,
    message && message !== "UnknownError" && message !== label ? message : undefined,
    status === undefined ? undefined : `HTTP ${status}`,
    message?.includes("DOMParser is not defined") ? DOM_PARSER_HINT : undefined,
  ].filter(Boolean).join(", ") || "unknown error";
}

// A Worker bundle that took the AWS SDK's browser XML parser cannot read any S3 answer with a body.
const DOM_PARSER_HINT = "the AWS SDK's browser XML parser needs DOMParser, which this runtime lacks: " +
  "bundle @aws-sdk/xml-builder's JavaScript parser instead (README, In a Worker)";
