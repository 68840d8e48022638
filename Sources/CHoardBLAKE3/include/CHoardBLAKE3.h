#ifndef CHOARD_BLAKE3_H
#define CHOARD_BLAKE3_H

#include <stddef.h>
#include <stdint.h>

/// The number of chunks the widest available SIMD routine hashes at once: 16 (AVX-512), 8 (AVX2), or 0 when
/// neither the CPU nor the operating system supports them. Detected once, with CPUID and XGETBV.
int hoard_blake3_simd_degree(void);

/// Caps the degree ``hoard_blake3_simd_degree`` reports (0 turns SIMD off), so that tests can run every code path
/// the machine supports. Returns the degree now in force.
int hoard_blake3_limit_degree(int maximum);

/// Hashes whole 1024-byte chunks, laid out one after another from `input`, with SIMD: chunk `i` gets the chunk
/// counter `counter + i`. Writes each chunk's 32-byte chaining value to `out`. Processes the largest multiple of
/// 8 chunks not above `count` (none without AVX2) and returns how many it processed; the caller hashes the rest.
size_t hoard_blake3_hash_chunks(
    const uint8_t *input, size_t count, const uint32_t key[8], uint64_t counter, uint8_t flags, uint8_t *out);

/// Hashes `count` parent nodes: parent `i` joins the chaining values at `children + 64 * i` (left, then right).
/// Writes each parent's 32-byte chaining value to `out + 32 * i`; `out` may be `children` (processed in order).
void hoard_blake3_hash_parents(
    const uint8_t *children, size_t count, const uint32_t key[8], uint8_t flags, uint8_t *out);

#endif
