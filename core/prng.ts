/**
 * mulberry32: a small, fast, seedable PRNG returning floats in [0, 1). Used wherever rtds needs
 * reproducible randomness (the offline user generator, benchmarks, generated tests).
 *
 * @example const r = mulberry32(42); r() // always the same first value for seed 42
 */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}
