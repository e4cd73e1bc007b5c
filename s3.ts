/**
 * S3 and S3-compatible stores: the immutable multipart sink, the storage (ranged reads, listing) and the
 * client settings. A separate entry point, since loading the AWS SDK is heavy and local-only users need not
 * pay for it; `s3://` locations given to `writeParquet` and `readParquet` load it on demand anyway.
 *
 * ```ts ignore
 * import { S3Sink } from "@parquet-storage/engine/s3";
 * await bytes.pipeTo(new S3Sink("s3://lake/exports/borehole.parquet", { region: "eu-west-2" }));
 * ```
 *
 * @module
 */

export type { S3Options } from "./src/sinks/sink.ts";

export { S3_PART_LIMITS, S3_SINK_DEFAULTS, S3Sink, type S3SinkOptions } from "./src/sinks/s3_sink.ts";
export {
  type AbortUploadsOptions,
  type S3File,
  S3Storage,
  type S3StorageOptions,
} from "./src/storage/s3_storage.ts";
export {
  createS3Client,
  formatS3Location,
  parseS3Location,
  S3_MAX_ATTEMPTS,
  S3_TIMEOUTS,
  s3ClientConfig,
  type S3Location,
  type S3LocationUse,
} from "./src/sinks/s3_location.ts";
