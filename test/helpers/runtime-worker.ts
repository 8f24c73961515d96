// A Worker that exposes flarelift/runtime to the tests, bundled with esbuild and run under
// Miniflare, with PBKDF2 capped at 100,000 iterations per deriveBits call as in production.
import { takePbkdf2Calls } from './production-pbkdf2-cap.js';
import { hashPassword, needsRehash, signJwt, verifyJwt, verifyPassword, type JwtClaims, type SignOptions, type VerifyOptions } from '../../src/runtime/index.js';

type Op =
  | { op: 'verify'; items: { hash: string; password: string; pepper?: string }[] }
  | { op: 'hash'; items: { password: string; format?: 'flarelift-pbkdf2-sha256' | 'django-pbkdf2_sha256' | 'werkzeug-pbkdf2:sha256' | 'bcrypt'; pepper?: string }[] }
  | { op: 'jwt-verify'; items: { token: string; secret: string; options?: VerifyOptions }[] }
  | { op: 'jwt-sign'; items: { payload: JwtClaims; secret: string; options?: SignOptions }[] }
  | { op: 'probe-derive'; iterations: number };

async function settle<T>(work: () => Promise<T>): Promise<{ value?: T; error?: string; code?: string; derived: number[] }> {
  takePbkdf2Calls();
  try {
    const value = await work();
    return { value, derived: takePbkdf2Calls() };
  } catch (e) {
    const err = e as Error & { code?: string };
    return { error: `${err.name}: ${err.message}`, code: err.code, derived: takePbkdf2Calls() };
  }
}

async function run(body: Op): Promise<unknown> {
  switch (body.op) {
    case 'verify': {
      const out = [];
      for (const i of body.items) {
        const r = await settle(() => verifyPassword(i.hash, i.password, { pepper: i.pepper }));
        out.push({ ...r, needsRehash: needsRehash(i.hash, { pepper: i.pepper }) });
      }
      return out;
    }
    case 'hash': {
      const out = [];
      for (const i of body.items) out.push(await settle(() => hashPassword(i.password, { format: i.format, pepper: i.pepper })));
      return out;
    }
    case 'jwt-verify': {
      const out = [];
      for (const i of body.items) out.push(await settle(() => verifyJwt(i.token, i.secret, i.options)));
      return out;
    }
    case 'jwt-sign': {
      const out = [];
      for (const i of body.items) out.push(await settle(() => signJwt(i.payload, i.secret, i.options)));
      return out;
    }
    case 'probe-derive':
      return settle(async () => {
        const key = await crypto.subtle.importKey('raw', new TextEncoder().encode('x'), 'PBKDF2', false, ['deriveBits']);
        await crypto.subtle.deriveBits({ name: 'PBKDF2', hash: 'SHA-256', salt: new Uint8Array(16), iterations: body.iterations }, key, 256);
        return 'derived';
      });
  }
}

export default {
  async fetch(request: Request): Promise<Response> {
    return Response.json(await run((await request.json()) as Op));
  },
};
