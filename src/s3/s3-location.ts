// Where an S3-compatible bucket is and how to reach it, from `s3://bucket[/prefix]` and its
// query (`?endpoint=…&region=…&path_style=false&profile=…`, which the --s3-* flags fill in),
// then the usual AWS variables. Credentials are never part of it: the SDK's own chain finds them
// (AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, a profile, an instance role), so nothing here can
// print them.
import { UserError } from '../errors.js';

export interface S3Location {
  bucket: string;
  /** Keys under this prefix ('' for the whole bucket); the target keys drop it. */
  prefix: string;
  endpoint?: string;
  region: string;
  /** Path-style addressing (http://host/bucket/key): the default whenever an endpoint is given. */
  pathStyle: boolean;
  profile?: string;
}

const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

export function isS3Spec(spec: string): boolean {
  return /^s3:\/\//i.test(spec);
}

export function parseS3Location(spec: string, env: NodeJS.ProcessEnv = process.env): S3Location {
  const m = /^s3:\/\/([^/?]*)([^?]*)(?:\?(.*))?$/i.exec(spec.trim());
  if (!m) throw new UserError(`'${spec}' is not an S3 location: write s3://<bucket>[/prefix]`);
  const bucket = m[1];
  if (!BUCKET_NAME.test(bucket)) throw new UserError(`'${bucket}' is not a bucket name (3–63 lowercase letters, digits, dots and hyphens): write s3://<bucket>[/prefix]`);
  const prefix = decodeURIComponent(m[2].replace(/^\//, ''));
  const q = new URLSearchParams(m[3] ?? '');
  for (const k of q.keys()) {
    if (!['endpoint', 'region', 'path_style', 'profile'].includes(k)) throw new UserError(`unknown S3 option '${k}' in '${spec.split('?')[0]}?…': use endpoint, region, path_style or profile`);
  }
  const endpoint = q.get('endpoint') ?? env.AWS_ENDPOINT_URL_S3 ?? env.AWS_ENDPOINT_URL ?? undefined;
  if (endpoint !== undefined && !/^https?:\/\/[^/]+/i.test(endpoint)) throw new UserError(`S3 endpoint '${endpoint}' is not an http(s) URL: give e.g. --s3-endpoint http://127.0.0.1:9000`);
  const style = q.get('path_style');
  if (style !== null && style !== 'true' && style !== 'false') throw new UserError(`path_style must be true or false, not '${style}'`);
  return {
    bucket,
    prefix,
    ...(endpoint ? { endpoint: endpoint.replace(/\/+$/, '') } : {}),
    region: q.get('region') ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? 'us-east-1',
    pathStyle: style !== null ? style === 'true' : endpoint !== undefined,
    ...((q.get('profile') ?? env.AWS_PROFILE) ? { profile: q.get('profile') ?? env.AWS_PROFILE } : {}),
  };
}

/** The location for messages: bucket, prefix and endpoint, never a credential. */
export function describeS3(loc: S3Location): string {
  const where = `s3://${loc.bucket}${loc.prefix ? `/${loc.prefix}` : ''}`;
  return loc.endpoint ? `${where} at ${new URL(loc.endpoint).origin}` : where;
}

/** The S3 command-line flags folded into an s3:// spec's query (flags win over what the URL says). */
export function withS3Flags(spec: string, flags: { s3Endpoint?: string; s3Region?: string; s3Profile?: string; s3PathStyle?: boolean }): string {
  if (!isS3Spec(spec)) return spec;
  const [base, query] = spec.split(/\?(.*)/s, 2);
  const q = new URLSearchParams(query ?? '');
  if (flags.s3Endpoint) q.set('endpoint', flags.s3Endpoint);
  if (flags.s3Region) q.set('region', flags.s3Region);
  if (flags.s3Profile) q.set('profile', flags.s3Profile);
  if (flags.s3PathStyle === false) q.set('path_style', 'false');
  const text = q.toString();
  return text ? `${base}?${text}` : base;
}
