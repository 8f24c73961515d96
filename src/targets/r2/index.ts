// The r2: target kind (the local R2 bucket of the wrangler project, or with --remote R2 itself
// through its S3-compatible endpoint) and the s3:// target kind (any S3 bucket: copy back).
import { createHash } from 'node:crypto';
import path from 'node:path';
import { localStateRoot } from '../../cloudflare/local-state.js';
import { findWranglerConfig, type R2BucketConfig } from '../../cloudflare/wrangler-config.js';
import { UserError } from '../../errors.js';
import { describeS3, parseS3Location, type S3Location } from '../../s3/s3-location.js';
import { declareTargetOption, type TargetKind, type TargetSpecOptions } from '../target-kind.js';
import { objectTarget } from './object-target.js';

declareTargetOption({ key: 'accountId', flags: '--account-id <id>', help: 'the Cloudflare account of the remote R2 bucket (default $CLOUDFLARE_ACCOUNT_ID)', use: 'both' });
declareTargetOption({ key: 'r2Endpoint', flags: '--r2-endpoint <url>', help: "R2's S3 endpoint (default https://<account>.r2.cloudflarestorage.com)", use: 'both' });

/** The journal of a copy into a remote store, kept in the working directory (.flarelift/). */
function remoteJournal(cwd: string, scheme: string, loc: S3Location): string {
  const id = createHash('sha256').update(`${loc.endpoint ?? ''}|${loc.bucket}|${loc.prefix}`).digest('hex').slice(0, 12);
  return path.join(cwd, '.flarelift', `${scheme}-${loc.bucket}-${id}.journal.json`);
}

function findBucket(buckets: R2BucketConfig[], name: string, configPath: string): R2BucketConfig {
  const found = buckets.find((b) => b.binding === name) ?? buckets.find((b) => b.bucket_name === name);
  if (found) return found;
  const known = buckets.map((b) => b.binding).join(', ');
  throw new UserError(`no R2 bucket '${name}' in ${configPath}${known ? ` (it binds ${known})` : ''}: add it to r2_buckets, or name one of those`);
}

function r2Credentials(env: NodeJS.ProcessEnv) {
  const accessKeyId = env.R2_ACCESS_KEY_ID ?? env.AWS_ACCESS_KEY_ID;
  const secretAccessKey = env.R2_SECRET_ACCESS_KEY ?? env.AWS_SECRET_ACCESS_KEY;
  if (!accessKeyId || !secretAccessKey) throw new UserError('r2: --remote needs an R2 API token: set R2_ACCESS_KEY_ID and R2_SECRET_ACCESS_KEY (from R2 → Manage API tokens)');
  return { accessKeyId, secretAccessKey };
}

export const r2Kind: TargetKind = {
  scheme: 'r2',
  form: 'r2:<BINDING> (local R2 bucket; add --remote for R2 itself)',
  takes: ['bucket'],
  options: ['config', 'persistTo', 'remote', 'accountId', 'r2Endpoint'],
  create(binding, o: TargetSpecOptions) {
    const cwd = o.cwd ?? process.cwd();
    const config = findWranglerConfig({ config: o.config, cwd });
    const bucket = findBucket(config.r2Buckets, binding, config.path);
    if (o.remote) {
      if (o.persistTo !== undefined) throw new UserError('--persist-to applies to local r2:<BINDING> targets only');
      if (!bucket.bucket_name) throw new UserError(`R2 binding '${bucket.binding}' in ${config.path} has no bucket_name: add the deployed bucket's name`);
      const accountId = (o.accountId as string | undefined) ?? process.env.CLOUDFLARE_ACCOUNT_ID;
      const endpoint = (o.r2Endpoint as string | undefined) ?? (accountId ? `https://${accountId}.r2.cloudflarestorage.com` : undefined);
      if (!endpoint) throw new UserError('r2: --remote needs the account: give --account-id or set CLOUDFLARE_ACCOUNT_ID');
      const loc = parseS3Location(`s3://${bucket.bucket_name}?endpoint=${encodeURIComponent(endpoint)}&region=auto`, {});
      const credentials = r2Credentials(process.env);
      return objectTarget({
        kind: 'r2-remote',
        description: `R2 bucket '${bucket.bucket_name}' (${describeS3(loc)})`,
        journalFile: remoteJournal(cwd, 'r2', loc),
        openStore: async () => (await import('../../s3/s3-store.js')).S3Store.open(loc, credentials),
      });
    }
    if (o.accountId !== undefined || o.r2Endpoint !== undefined) throw new UserError('--account-id and --r2-endpoint apply to r2:<BINDING> --remote only');
    const stateRoot = localStateRoot(config.path, o.persistTo, cwd);
    const bucketId = bucket.bucket_name ?? bucket.binding;
    const description = `local R2 '${bucket.binding}' (bucket ${bucketId}, ${path.join(stateRoot, 'r2')})`;
    return objectTarget({
      kind: 'r2-local',
      description,
      journalFile: path.join(stateRoot, 'r2', `flarelift-${bucketId}.journal.json`),
      openStore: async () => (await import('./miniflare-store.js')).MiniflareStore.open({ binding: bucket.binding, bucketId, stateRoot, description }),
    });
  },
};

export const s3Kind: TargetKind = {
  scheme: 's3',
  form: 's3://<bucket>[/prefix] (an S3-compatible bucket)',
  takes: ['bucket'],
  options: [],
  create(rest, o: TargetSpecOptions) {
    const loc = parseS3Location(`s3:${rest}`);
    return objectTarget({
      kind: 's3',
      description: describeS3(loc),
      journalFile: remoteJournal(o.cwd ?? process.cwd(), 's3', loc),
      openStore: async () => (await import('../../s3/s3-store.js')).S3Store.open(loc),
    });
  },
};
