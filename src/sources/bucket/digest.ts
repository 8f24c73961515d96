// The MD5 of a stream, read through in constant memory (verify --checksum, multipart uploads of
// local files).
import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';

export async function md5OfStream(stream: Readable): Promise<string> {
  const hash = createHash('md5');
  for await (const chunk of stream) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
