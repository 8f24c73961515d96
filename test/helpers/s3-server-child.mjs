// A local S3-compatible server for the bucket tests: s3rver (from npm) behind a small proxy that
// counts what clients read and write, so a test can prove a resumed copy did not fetch or send an
// object again. The proxy also keeps the storage class an object was written with and reports it
// in listings, as S3 does: s3rver stores the x-amz-storage-class header but always lists STANDARD,
// and plan reads storage classes from the listing.
// Run with --openssl-legacy-provider: s3rver 3.7 ciphers ListObjectsV2 continuation tokens with
// DES, which OpenSSL 3 keeps in its legacy provider.
import { Buffer } from 'node:buffer';
import http from 'node:http';
import process from 'node:process';
import S3rver from 's3rver';

const dir = process.argv[2];
const server = new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory: dir });
const { port: s3port } = await server.run();
let stats = { requests: 0, gets: [], getBytes: 0, puts: [] };
/** '/bucket/key' → the storage class it was written with (absent: STANDARD). */
const classes = new Map();

const unxml = (s) => s.replace(/&(lt|gt|quot|apos|amp);/g, (_m, e) => ({ lt: '<', gt: '>', quot: '"', apos: "'", amp: '&' })[e]);

/** A ListObjects(V2) body with each key's stored class in place of s3rver's STANDARD. */
function withClasses(xml, bucket) {
  return xml.replace(/<Contents>([\s\S]*?)<\/Contents>/g, (whole, inner) => {
    const key = /<Key>([\s\S]*?)<\/Key>/.exec(inner)?.[1];
    const cls = key !== undefined && classes.get(`/${bucket}/${unxml(key)}`);
    return cls ? whole.replace('<StorageClass>STANDARD</StorageClass>', `<StorageClass>${cls}</StorageClass>`) : whole;
  });
}

const proxy = http.createServer((req, res) => {
  if (req.url === '/__stats') {
    res.end(JSON.stringify(stats));
    return;
  }
  if (req.url === '/__reset') {
    stats = { requests: 0, gets: [], getBytes: 0, puts: [] };
    res.end('{}');
    return;
  }
  stats.requests++;
  const url = req.url ?? '';
  const objectPath = decodeURIComponent(url.split('?')[0]);
  // A PUT of a whole object or the start of a multipart upload says the object's storage class.
  if ((req.method === 'PUT' && !/[?&]uploadId=/.test(url)) || (req.method === 'POST' && /[?&]uploads(=|&|$)/.test(url))) {
    const cls = req.headers['x-amz-storage-class'];
    if (typeof cls === 'string' && cls !== 'STANDARD') classes.set(objectPath, cls);
    else classes.delete(objectPath);
  }
  if (req.method === 'PUT') stats.puts.push(objectPath);
  const listing = req.method === 'GET' && /^\/[^/]+\/?(\?|$)/.test(url) && !/[?&](uploads|location|versioning)(=|&|$)/.test(url);
  const up = http.request({ host: '127.0.0.1', port: s3port, method: req.method, path: req.url, headers: req.headers }, (ur) => {
    if (listing && classes.size > 0 && (ur.statusCode ?? 500) === 200) {
      const chunks = [];
      ur.on('data', (c) => chunks.push(c));
      ur.on('end', () => {
        const body = Buffer.from(withClasses(Buffer.concat(chunks).toString('utf8'), objectPath.split('/')[1]), 'utf8');
        const headers = { ...ur.headers, 'content-length': String(body.length) };
        delete headers['transfer-encoding'];
        res.writeHead(200, headers);
        res.end(body);
      });
      return;
    }
    res.writeHead(ur.statusCode ?? 500, ur.headers);
    const get = req.method === 'GET' && !/[?&](list-type|uploads|uploadId)=/.test(req.url ?? '') && !/^\/[^/]+\/?(\?|$)/.test(req.url ?? '');
    const record = get ? { path: decodeURIComponent((req.url ?? '').split('?')[0]), bytes: 0 } : undefined;
    if (record) stats.gets.push(record);
    ur.on('data', (c) => {
      if (record) {
        record.bytes += c.length;
        stats.getBytes += c.length;
      }
    });
    ur.pipe(res);
  });
  up.on('error', () => res.destroy());
  req.pipe(up);
});
proxy.listen(0, '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ port: proxy.address().port })}\n`);
});
process.on('SIGTERM', async () => {
  proxy.close();
  await server.close();
  process.exit(0);
});
