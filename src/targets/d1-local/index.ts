// The d1: target kind: the local D1 of the wrangler project (d1-local), or with --remote the
// deployed one through wrangler (d1-remote).
import { UserError } from '../../errors.js';
import { d1RemoteTarget } from '../d1-remote/d1-remote-target.js';
import type { TargetKind } from '../target-kind.js';
import { d1LocalTarget } from './d1-local-target.js';

export const d1Kind: TargetKind = {
  scheme: 'd1',
  form: 'd1:<database> (local D1; add --remote for the deployed one)',
  takes: ['table'],
  options: ['config', 'persistTo', 'remote', 'fileBytes'],
  create(database, o) {
    if (o.remote) {
      if (o.persistTo !== undefined) throw new UserError('--persist-to applies to local d1:<database> targets only');
      return d1RemoteTarget({ database, config: o.config, fileBytes: o.fileBytes, cwd: o.cwd });
    }
    return d1LocalTarget({ database, config: o.config, persistTo: o.persistTo, cwd: o.cwd });
  },
};
