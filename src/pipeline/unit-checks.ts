// What copy and verify of units both need: the collections asked for (that the target takes),
// a unit held to the target's limits, and a key in a form people and tools can read.
import type { Collection, Key, Unit } from '../catalog/collection.js';
import { UserError } from '../errors.js';
import type { UnitCapabilities, UnitTarget } from '../targets/unit-target.js';

const fmt = (n: number) => n.toLocaleString('en-US');

/** The collections named (all when none), each of a kind the target takes. */
export function selectCollections(all: readonly Collection[], names: readonly string[] | undefined, target: UnitTarget): Collection[] {
  const wanted = names?.map((n) => n.trim()).filter(Boolean) ?? [];
  const chosen = wanted.length === 0 ? [...all] : all.filter((c) => wanted.includes(c.name));
  const unknown = wanted.filter((n) => !all.some((c) => c.name === n));
  if (unknown.length > 0) throw new UserError(`no ${unknown.join(', ')} in the source; it has: ${all.map((c) => c.name).join(', ')}`);
  const refused = chosen.filter((c) => !target.accepts.includes(c.kind));
  if (refused.length > 0) {
    throw new UserError(`${target.description} takes ${target.accepts.join(' or ')} data, not ${refused[0].kind}s (${refused.map((c) => c.name).join(', ')}): choose a target for them`);
  }
  return chosen;
}

/** Bytes of a key as the target counts them: UTF-8 of its text parts, the bytes of binary ones. */
export function keyBytes(key: Key): number {
  let n = 0;
  for (const p of key) n += typeof p === 'string' ? Buffer.byteLength(p, 'utf8') : p instanceof Uint8Array ? p.byteLength : String(p).length;
  return n;
}

/** Why the target cannot hold this unit, or undefined when it can. */
export function checkUnit(unit: Unit<unknown>, caps: UnitCapabilities): string | undefined {
  if (caps.maxKeyBytes !== undefined) {
    const k = keyBytes(unit.key);
    if (k > caps.maxKeyBytes) return `key of ${fmt(k)} bytes is over ${caps.limitsOf}'s limit of ${fmt(caps.maxKeyBytes)} bytes`;
  }
  if (unit.bytes > caps.maxUnitBytes) return `value of ${fmt(unit.bytes)} bytes is over ${caps.limitsOf}'s limit of ${fmt(caps.maxUnitBytes)} bytes`;
  return undefined;
}

/** A key for reject and failure files: one part as itself, text as text, bytes that are not UTF-8 as {"$base64": …}. */
export function readableKey(key: Key): unknown {
  const parts = key.map((p) => {
    if (typeof p === 'string' || typeof p === 'number') return p;
    if (typeof p === 'bigint') return p.toString();
    const b = Buffer.from(p.buffer, p.byteOffset, p.byteLength);
    const text = b.toString('utf8');
    return Buffer.from(text, 'utf8').equals(b) ? text : { $base64: b.toString('base64') };
  });
  return parts.length === 1 ? parts[0] : parts;
}
