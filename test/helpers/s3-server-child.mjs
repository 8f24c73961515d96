// A local S3-compatible server for the bucket tests: s3rver (from npm) behind a small proxy that
// counts what clients read, so a test can prove a resumed copy did not fetch an object again.
// Run with --openssl-legacy-provider: s3rver 3.7 ciphers ListObjectsV2 continuation tokens with
// DES, which OpenSSL 3 keeps in its legacy provider.
import http from 'node:http';
import process from 'node:process';
import S3rver from 's3rver';

const dir = process.argv[2];
const server = new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory: dir });
const { port: s3port } = await server.run();
let stats = { requests: 0, gets: [], getBytes: 0 };

const proxy = http.createServer((req, res) => {
  if (req.url === '/__stats') {
    res.end(JSON.stringify(stats));
    return;
  }
  if (req.url === '/__reset') {
    stats = { requests: 0, gets: [], getBytes: 0 };
    res.end('{}');
    return;
  }
  stats.requests++;
  const up = http.request({ host: '127.0.0.1', port: s3port, method: req.method, path: req.url, headers: req.headers }, (ur) => {
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
