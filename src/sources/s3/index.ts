// The S3 source kind: `s3://bucket[/prefix]`, any S3-compatible server (--s3-endpoint). The AWS
// SDK is imported only when such a source is opened.
import { isS3Spec } from '../../s3/s3-location.js';
import type { SourceEngine } from '../source.js';
import type { UnitSource } from '../unit-source.js';

export const s3Engine: SourceEngine<UnitSource> = {
  engine: 's3',
  forms: ['s3://<bucket>[/prefix]'],
  accepts: isS3Spec,
  async open(spec: string) {
    return (await import('./s3-source.js')).openS3Source(spec);
  },
};
