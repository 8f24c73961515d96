// The S3 connection flags of every command that reads or writes an s3:// location (plan, copy,
// verify, migrate): folded into the s3:// spec's query, where the s3 source and target read them
// (s3/s3-location.ts). Credentials are not flags: the AWS variables or a profile (--s3-profile).
import type { Command } from 'commander';
import { withS3Flags } from '../s3/s3-location.js';

export function addS3Options(cmd: Command): Command {
  return cmd
    .option('--s3-endpoint <url>', 's3:// on an S3-compatible server (default $AWS_ENDPOINT_URL_S3, else AWS)')
    .option('--s3-region <region>', 's3:// region (default $AWS_REGION, else us-east-1)')
    .option('--s3-profile <name>', 's3:// credentials from this AWS profile (default: AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, $AWS_PROFILE)')
    .option('--no-s3-path-style', 's3:// virtual-hosted addressing (bucket.host) even with --s3-endpoint');
}

/** The s3:// --from / --to with the flags applied; other specs as they are. */
export function applyS3Options<T extends { from: string; to?: string }>(given: T): T {
  const o = given as T & Record<string, unknown>;
  const flags = { s3Endpoint: o.s3Endpoint as string | undefined, s3Region: o.s3Region as string | undefined, s3Profile: o.s3Profile as string | undefined, s3PathStyle: o.s3PathStyle as boolean | undefined };
  return { ...o, from: withS3Flags(o.from, flags), ...(o.to !== undefined ? { to: withS3Flags(o.to, flags) } : {}) };
}
