// BLAKE3 chunk hashing on 8 (AVX2) or 16 (AVX-512) chunks at once, written from the BLAKE3 specification:
// each vector lane carries one chunk's state; message words are transposed so that vector j holds word j of
// every lane's block.

#include "CHoardBLAKE3.h"

#include <cpuid.h>
#include <immintrin.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

enum { CHUNK_START = 1, CHUNK_END = 2, PARENT = 4 };

static const uint32_t IV[8] = {
    0x6A09E667, 0xBB67AE85, 0x3C6EF372, 0xA54FF53A, 0x510E527F, 0x9B05688C, 0x1F83D9AB, 0x5BE0CD19,
};

// The message word each G input reads in each of the 7 rounds (the permutation applied round after round).
static const uint8_t SCHEDULE[7][16] = {
    {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15},
    {2, 6, 3, 10, 7, 0, 4, 13, 1, 11, 12, 5, 9, 14, 15, 8},
    {3, 4, 10, 12, 13, 2, 7, 14, 6, 5, 9, 0, 11, 15, 8, 1},
    {10, 7, 12, 9, 14, 3, 13, 15, 4, 0, 11, 2, 5, 8, 1, 6},
    {12, 13, 9, 11, 15, 10, 14, 8, 7, 2, 5, 3, 0, 1, 6, 4},
    {9, 14, 11, 5, 8, 12, 15, 1, 13, 3, 0, 10, 2, 6, 4, 7},
    {11, 15, 5, 0, 1, 9, 8, 6, 14, 10, 2, 12, 3, 4, 7, 13},
};

// ---- AVX2: 8 chunks ------------------------------------------------------------------------------------------

#define AVX2 __attribute__((target("avx2")))

AVX2 static inline __m256i rotr16_8(__m256i x) {
    const __m256i mask = _mm256_setr_epi8(2, 3, 0, 1, 6, 7, 4, 5, 10, 11, 8, 9, 14, 15, 12, 13, 2, 3, 0, 1, 6, 7, 4,
                                          5, 10, 11, 8, 9, 14, 15, 12, 13);
    return _mm256_shuffle_epi8(x, mask);
}

AVX2 static inline __m256i rotr8_8(__m256i x) {
    const __m256i mask = _mm256_setr_epi8(1, 2, 3, 0, 5, 6, 7, 4, 9, 10, 11, 8, 13, 14, 15, 12, 1, 2, 3, 0, 5, 6, 7,
                                          4, 9, 10, 11, 8, 13, 14, 15, 12);
    return _mm256_shuffle_epi8(x, mask);
}

AVX2 static inline __m256i rotr12_8(__m256i x) {
    return _mm256_or_si256(_mm256_srli_epi32(x, 12), _mm256_slli_epi32(x, 20));
}

AVX2 static inline __m256i rotr7_8(__m256i x) {
    return _mm256_or_si256(_mm256_srli_epi32(x, 7), _mm256_slli_epi32(x, 25));
}

#define G8(a, b, c, d, x, y)                            \
    do {                                                \
        v[a] = _mm256_add_epi32(_mm256_add_epi32(v[a], v[b]), x); \
        v[d] = rotr16_8(_mm256_xor_si256(v[d], v[a]));  \
        v[c] = _mm256_add_epi32(v[c], v[d]);            \
        v[b] = rotr12_8(_mm256_xor_si256(v[b], v[c]));  \
        v[a] = _mm256_add_epi32(_mm256_add_epi32(v[a], v[b]), y); \
        v[d] = rotr8_8(_mm256_xor_si256(v[d], v[a]));   \
        v[c] = _mm256_add_epi32(v[c], v[d]);            \
        v[b] = rotr7_8(_mm256_xor_si256(v[b], v[c]));   \
    } while (0)

AVX2 static inline void transpose8(__m256i v[8]) {
    __m256i ab_lo = _mm256_unpacklo_epi32(v[0], v[1]), ab_hi = _mm256_unpackhi_epi32(v[0], v[1]);
    __m256i cd_lo = _mm256_unpacklo_epi32(v[2], v[3]), cd_hi = _mm256_unpackhi_epi32(v[2], v[3]);
    __m256i ef_lo = _mm256_unpacklo_epi32(v[4], v[5]), ef_hi = _mm256_unpackhi_epi32(v[4], v[5]);
    __m256i gh_lo = _mm256_unpacklo_epi32(v[6], v[7]), gh_hi = _mm256_unpackhi_epi32(v[6], v[7]);
    __m256i abcd_04 = _mm256_unpacklo_epi64(ab_lo, cd_lo), abcd_15 = _mm256_unpackhi_epi64(ab_lo, cd_lo);
    __m256i abcd_26 = _mm256_unpacklo_epi64(ab_hi, cd_hi), abcd_37 = _mm256_unpackhi_epi64(ab_hi, cd_hi);
    __m256i efgh_04 = _mm256_unpacklo_epi64(ef_lo, gh_lo), efgh_15 = _mm256_unpackhi_epi64(ef_lo, gh_lo);
    __m256i efgh_26 = _mm256_unpacklo_epi64(ef_hi, gh_hi), efgh_37 = _mm256_unpackhi_epi64(ef_hi, gh_hi);
    v[0] = _mm256_permute2x128_si256(abcd_04, efgh_04, 0x20);
    v[4] = _mm256_permute2x128_si256(abcd_04, efgh_04, 0x31);
    v[1] = _mm256_permute2x128_si256(abcd_15, efgh_15, 0x20);
    v[5] = _mm256_permute2x128_si256(abcd_15, efgh_15, 0x31);
    v[2] = _mm256_permute2x128_si256(abcd_26, efgh_26, 0x20);
    v[6] = _mm256_permute2x128_si256(abcd_26, efgh_26, 0x31);
    v[3] = _mm256_permute2x128_si256(abcd_37, efgh_37, 0x20);
    v[7] = _mm256_permute2x128_si256(abcd_37, efgh_37, 0x31);
}

// Hashes 8 inputs of `blocks` 64-byte blocks each, `stride` bytes apart: whole chunks (16 blocks, counters
// counting up) or parent nodes (1 block, counter 0).
AVX2 static void hash8(const uint8_t *input, size_t stride, int blocks, const uint32_t key[8], uint64_t counter,
                       int increment, uint8_t flags, uint8_t flags_start, uint8_t flags_end, uint8_t *out) {
    __m256i h[8];
    for (int i = 0; i < 8; i++) h[i] = _mm256_set1_epi32((int)key[i]);
    uint32_t low[8], high[8];
    for (int i = 0; i < 8; i++) {
        uint64_t c = counter + (increment ? (uint64_t)i : 0);
        low[i] = (uint32_t)c;
        high[i] = (uint32_t)(c >> 32);
    }
    const __m256i counter_low = _mm256_loadu_si256((const __m256i *)low);
    const __m256i counter_high = _mm256_loadu_si256((const __m256i *)high);
    for (int block = 0; block < blocks; block++) {
        __m256i m[16];
        for (int i = 0; i < 8; i++) {
            const uint8_t *row = input + (size_t)i * stride + (size_t)block * 64;
            m[i] = _mm256_loadu_si256((const __m256i *)row);
            m[8 + i] = _mm256_loadu_si256((const __m256i *)(row + 32));
        }
        transpose8(m);
        transpose8(m + 8);
        // After the transposes m[0..7] hold words 0..7 and m[8..15] words 8..15, lane i = chunk i.
        uint32_t block_flags = flags | (block == 0 ? flags_start : 0) | (block == blocks - 1 ? flags_end : 0);
        __m256i v[16] = {
            h[0], h[1], h[2], h[3], h[4], h[5], h[6], h[7],
            _mm256_set1_epi32((int)IV[0]), _mm256_set1_epi32((int)IV[1]), _mm256_set1_epi32((int)IV[2]),
            _mm256_set1_epi32((int)IV[3]), counter_low, counter_high, _mm256_set1_epi32(64),
            _mm256_set1_epi32((int)block_flags),
        };
        for (int r = 0; r < 7; r++) {
            const uint8_t *s = SCHEDULE[r];
            G8(0, 4, 8, 12, m[s[0]], m[s[1]]);
            G8(1, 5, 9, 13, m[s[2]], m[s[3]]);
            G8(2, 6, 10, 14, m[s[4]], m[s[5]]);
            G8(3, 7, 11, 15, m[s[6]], m[s[7]]);
            G8(0, 5, 10, 15, m[s[8]], m[s[9]]);
            G8(1, 6, 11, 12, m[s[10]], m[s[11]]);
            G8(2, 7, 8, 13, m[s[12]], m[s[13]]);
            G8(3, 4, 9, 14, m[s[14]], m[s[15]]);
        }
        for (int i = 0; i < 8; i++) h[i] = _mm256_xor_si256(v[i], v[i + 8]);
    }
    transpose8(h);
    for (int i = 0; i < 8; i++) _mm256_storeu_si256((__m256i *)(out + (size_t)i * 32), h[i]);
}

// ---- AVX-512: 16 chunks --------------------------------------------------------------------------------------

#define AVX512 __attribute__((target("avx512f")))

#define G16(a, b, c, d, x, y)                                        \
    do {                                                             \
        v[a] = _mm512_add_epi32(_mm512_add_epi32(v[a], v[b]), x);    \
        v[d] = _mm512_ror_epi32(_mm512_xor_si512(v[d], v[a]), 16);   \
        v[c] = _mm512_add_epi32(v[c], v[d]);                         \
        v[b] = _mm512_ror_epi32(_mm512_xor_si512(v[b], v[c]), 12);   \
        v[a] = _mm512_add_epi32(_mm512_add_epi32(v[a], v[b]), y);    \
        v[d] = _mm512_ror_epi32(_mm512_xor_si512(v[d], v[a]), 8);    \
        v[c] = _mm512_add_epi32(v[c], v[d]);                         \
        v[b] = _mm512_ror_epi32(_mm512_xor_si512(v[b], v[c]), 7);    \
    } while (0)

// Transposes 16 rows of 16 words: afterwards m[c] holds word c of every row.
AVX512 static inline void transpose16(__m512i m[16]) {
    __m512i x[4][4];  // x[g][k]: lane L holds word 4L+k of rows 4g..4g+3
    for (int g = 0; g < 4; g++) {
        __m512i lo01 = _mm512_unpacklo_epi32(m[4 * g], m[4 * g + 1]);
        __m512i hi01 = _mm512_unpackhi_epi32(m[4 * g], m[4 * g + 1]);
        __m512i lo23 = _mm512_unpacklo_epi32(m[4 * g + 2], m[4 * g + 3]);
        __m512i hi23 = _mm512_unpackhi_epi32(m[4 * g + 2], m[4 * g + 3]);
        x[g][0] = _mm512_unpacklo_epi64(lo01, lo23);
        x[g][1] = _mm512_unpackhi_epi64(lo01, lo23);
        x[g][2] = _mm512_unpacklo_epi64(hi01, hi23);
        x[g][3] = _mm512_unpackhi_epi64(hi01, hi23);
    }
    for (int k = 0; k < 4; k++) {
        __m512i p = _mm512_shuffle_i32x4(x[0][k], x[1][k], 0x44);
        __m512i q = _mm512_shuffle_i32x4(x[0][k], x[1][k], 0xEE);
        __m512i r = _mm512_shuffle_i32x4(x[2][k], x[3][k], 0x44);
        __m512i s = _mm512_shuffle_i32x4(x[2][k], x[3][k], 0xEE);
        m[0 + k] = _mm512_shuffle_i32x4(p, r, 0x88);
        m[4 + k] = _mm512_shuffle_i32x4(p, r, 0xDD);
        m[8 + k] = _mm512_shuffle_i32x4(q, s, 0x88);
        m[12 + k] = _mm512_shuffle_i32x4(q, s, 0xDD);
    }
}

AVX512 static void hash16(const uint8_t *input, size_t stride, int blocks, const uint32_t key[8], uint64_t counter,
                          int increment, uint8_t flags, uint8_t flags_start, uint8_t flags_end, uint8_t *out) {
    __m512i h[8];
    for (int i = 0; i < 8; i++) h[i] = _mm512_set1_epi32((int)key[i]);
    uint32_t low[16], high[16];
    for (int i = 0; i < 16; i++) {
        uint64_t c = counter + (increment ? (uint64_t)i : 0);
        low[i] = (uint32_t)c;
        high[i] = (uint32_t)(c >> 32);
    }
    const __m512i counter_low = _mm512_loadu_si512(low);
    const __m512i counter_high = _mm512_loadu_si512(high);
    for (int block = 0; block < blocks; block++) {
        __m512i m[16];
        for (int i = 0; i < 16; i++) m[i] = _mm512_loadu_si512(input + (size_t)i * stride + (size_t)block * 64);
        transpose16(m);
        uint32_t block_flags = flags | (block == 0 ? flags_start : 0) | (block == blocks - 1 ? flags_end : 0);
        __m512i v[16] = {
            h[0], h[1], h[2], h[3], h[4], h[5], h[6], h[7],
            _mm512_set1_epi32((int)IV[0]), _mm512_set1_epi32((int)IV[1]), _mm512_set1_epi32((int)IV[2]),
            _mm512_set1_epi32((int)IV[3]), counter_low, counter_high, _mm512_set1_epi32(64),
            _mm512_set1_epi32((int)block_flags),
        };
        for (int r = 0; r < 7; r++) {
            const uint8_t *s = SCHEDULE[r];
            G16(0, 4, 8, 12, m[s[0]], m[s[1]]);
            G16(1, 5, 9, 13, m[s[2]], m[s[3]]);
            G16(2, 6, 10, 14, m[s[4]], m[s[5]]);
            G16(3, 7, 11, 15, m[s[6]], m[s[7]]);
            G16(0, 5, 10, 15, m[s[8]], m[s[9]]);
            G16(1, 6, 11, 12, m[s[10]], m[s[11]]);
            G16(2, 7, 8, 13, m[s[12]], m[s[13]]);
            G16(3, 4, 9, 14, m[s[14]], m[s[15]]);
        }
        for (int i = 0; i < 8; i++) h[i] = _mm512_xor_si512(v[i], v[i + 8]);
    }
    uint32_t words[8][16];
    for (int i = 0; i < 8; i++) _mm512_storeu_si512(words[i], h[i]);
    for (int chunk = 0; chunk < 16; chunk++) {
        for (int w = 0; w < 8; w++) memcpy(out + (size_t)chunk * 32 + (size_t)w * 4, &words[w][chunk], 4);
    }
}

// ---- dispatch --------------------------------------------------------------------------------------------------

// Asked of the processor (and, through XGETBV, of the OS: it must save the wide registers) once, and only when a
// file is large enough to need SIMD: each CPUID traps to the hypervisor in a virtual machine (microseconds each), and
// the client's start-up does not ask glibc to survey the processor (CHoardStartup), so glibc's table may be empty.
//
// Linux 5.16 and later say without CPUID which register states they save (ARCH_GET_XCOMP_SUPP): the AVX-512 states
// (opmask, upper halves of ZMM0-15, ZMM16-31) are enabled only on a processor with AVX-512F that the kernel lets
// programs use, so a one-system-call answer settles the common case; otherwise the processor is asked.
static int detect(void) {
    unsigned long long saved = 0;
    if (syscall(SYS_arch_prctl, 0x1021, &saved) == 0 && (saved & 0xe6) == 0xe6) return 16;
    unsigned int eax, ebx, ecx, edx;
    if (__get_cpuid_max(0, 0) < 7) return 0;
    __cpuid(1, eax, ebx, ecx, edx);
    if (!(ecx & bit_OSXSAVE) || !(ecx & bit_AVX)) return 0;
    uint32_t low, high;
    __asm__("xgetbv" : "=a"(low), "=d"(high) : "c"(0));
    uint64_t enabled = ((uint64_t)high << 32) | low;
    if ((enabled & 0x6) != 0x6) return 0;  // SSE and AVX state
    __cpuid_count(7, 0, eax, ebx, ecx, edx);
    if ((ebx & bit_AVX512F) && (enabled & 0xe6) == 0xe6) return 16;  // and opmask, ZMM upper halves, ZMM16-31
    if (ebx & bit_AVX2) return 8;
    return 0;
}

static int detected = -1;
static int limit = 16;

int hoard_blake3_simd_degree(void) {
    if (detected < 0) detected = detect();
    return detected < limit ? detected : limit;
}

int hoard_blake3_limit_degree(int maximum) {
    limit = maximum;
    return hoard_blake3_simd_degree();
}

size_t hoard_blake3_hash_chunks(const uint8_t *input, size_t count, const uint32_t key[8], uint64_t counter,
                                uint8_t flags, uint8_t *out) {
    int degree = hoard_blake3_simd_degree();
    size_t done = 0;
    if (degree >= 16) {
        for (; count - done >= 16; done += 16) {
            hash16(input + done * 1024, 1024, 16, key, counter + done, 1, flags, CHUNK_START, CHUNK_END,
                   out + done * 32);
        }
    }
    if (degree >= 8) {
        for (; count - done >= 8; done += 8) {
            hash8(input + done * 1024, 1024, 16, key, counter + done, 1, flags, CHUNK_START, CHUNK_END,
                  out + done * 32);
        }
    }
    return done;
}

static inline uint32_t rotr32(uint32_t x, int n) { return (x >> n) | (x << (32 - n)); }

// One parent node without SIMD: `children` is the left and right chaining values.
static void parent_scalar(const uint8_t children[64], const uint32_t key[8], uint8_t flags, uint8_t out[32]) {
    uint32_t m[16], v[16];
    memcpy(m, children, 64);
    for (int i = 0; i < 8; i++) v[i] = key[i];
    for (int i = 0; i < 4; i++) v[8 + i] = IV[i];
    v[12] = 0;
    v[13] = 0;
    v[14] = 64;
    v[15] = flags | PARENT;
    for (int r = 0; r < 7; r++) {
        const uint8_t *s = SCHEDULE[r];
        static const int lanes[8][4] = {{0, 4, 8, 12}, {1, 5, 9, 13}, {2, 6, 10, 14}, {3, 7, 11, 15},
                                        {0, 5, 10, 15}, {1, 6, 11, 12}, {2, 7, 8, 13}, {3, 4, 9, 14}};
        for (int g = 0; g < 8; g++) {
            int a = lanes[g][0], b = lanes[g][1], c = lanes[g][2], d = lanes[g][3];
            v[a] = v[a] + v[b] + m[s[2 * g]];
            v[d] = rotr32(v[d] ^ v[a], 16);
            v[c] = v[c] + v[d];
            v[b] = rotr32(v[b] ^ v[c], 12);
            v[a] = v[a] + v[b] + m[s[2 * g + 1]];
            v[d] = rotr32(v[d] ^ v[a], 8);
            v[c] = v[c] + v[d];
            v[b] = rotr32(v[b] ^ v[c], 7);
        }
    }
    uint32_t h[8];
    for (int i = 0; i < 8; i++) h[i] = v[i] ^ v[i + 8];
    memcpy(out, h, 32);
}

void hoard_blake3_hash_parents(const uint8_t *children, size_t count, const uint32_t key[8], uint8_t flags,
                               uint8_t *out) {
    int degree = hoard_blake3_simd_degree();
    size_t done = 0;
    if (degree >= 16) {
        for (; count - done >= 16; done += 16) {
            hash16(children + done * 64, 64, 1, key, 0, 0, flags | PARENT, 0, 0, out + done * 32);
        }
    }
    if (degree >= 8) {
        for (; count - done >= 8; done += 8) {
            hash8(children + done * 64, 64, 1, key, 0, 0, flags | PARENT, 0, 0, out + done * 32);
        }
    }
    for (; done < count; done++) parent_scalar(children + done * 64, key, flags, out + done * 32);
}
