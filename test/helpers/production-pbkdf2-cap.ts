// Imported first by the test Workers: makes `crypto.subtle.deriveBits` behave as production
// workerd does — PBKDF2 above 100,000 iterations throws NotSupportedError (local workerd accepts
// any count) — and records every PBKDF2 call's iteration count so a test can see how a hash was checked.
const PRODUCTION_PBKDF2_CAP = 100_000;
const calls: number[] = [];
const subtle = crypto.subtle;
const deriveBits = subtle.deriveBits.bind(subtle);
subtle.deriveBits = (async (algorithm: AlgorithmIdentifier | Pbkdf2Params, key: CryptoKey, length: number) => {
  if (typeof algorithm === 'object' && algorithm.name === 'PBKDF2') {
    const iterations = (algorithm as Pbkdf2Params).iterations;
    calls.push(iterations);
    if (iterations > PRODUCTION_PBKDF2_CAP) {
      throw new DOMException(`Pbkdf2 failed: iteration counts above ${PRODUCTION_PBKDF2_CAP} are not supported (requested ${iterations}).`, 'NotSupportedError');
    }
  }
  return deriveBits(algorithm, key, length);
}) as typeof subtle.deriveBits;

/** The iteration counts of the PBKDF2 calls since the last take. */
export function takePbkdf2Calls(): number[] {
  return calls.splice(0);
}
