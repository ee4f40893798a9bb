// SIMD traits used by impl.h: one struct S per instruction set, selected by WT_ISA_AVX512,
// WT_ISA_AVX2 or neither (generic: GCC vector extensions with exact fmaf per lane).
//
// All of them compute fma(a, b, c) with a single rounding, relu and step as tfjs' cpu backend
// does (NaN kept, relu(−0) = +0), so every ISA gives the same bits.
#pragma once
#include <cmath>
#include <cstdint>
#include <cstring>

#if defined(WT_ISA_AVX512) || defined(WT_ISA_AVX2)
#include <immintrin.h>
#endif

namespace wt {
namespace WT_ISA {

#if defined(WT_ISA_AVX512)

struct S {
  using T = __m512;
  static constexpr int W = 16;
  static constexpr int NREG = 32;
  static constexpr bool kMemBroadcast = true;  // FMA can take a broadcast memory operand
  static inline __mmask16 mask(int n) { return (__mmask16)((1u << n) - 1u); }
  static inline T zero() { return _mm512_setzero_ps(); }
  static inline T set1(float f) { return _mm512_set1_ps(f); }
  static inline T load(const float* p) { return _mm512_loadu_ps(p); }
  static inline T loadn(const float* p, int n) { return _mm512_maskz_loadu_ps(mask(n), p); }
  static inline void store(float* p, T v) { _mm512_storeu_ps(p, v); }
  static inline void storen(float* p, T v, int n) { _mm512_mask_storeu_ps(p, mask(n), v); }
  static inline T bcast(const float* p) { return _mm512_set1_ps(*p); }
  static inline T fma(T a, T b, T c) { return _mm512_fmadd_ps(a, b, c); }
  static inline T add(T a, T b) { return _mm512_add_ps(a, b); }
  static inline T sub(T a, T b) { return _mm512_sub_ps(a, b); }
  static inline T mul(T a, T b) { return _mm512_mul_ps(a, b); }
  // tfjs' Math.max(0, x): NaN stays NaN, −0 becomes +0
  static inline T relu(T x) {
    const __mmask16 keep = _mm512_cmp_ps_mask(x, _mm512_setzero_ps(), _CMP_GT_OQ) | _mm512_cmp_ps_mask(x, x, _CMP_UNORD_Q);
    return _mm512_maskz_mov_ps(keep, x);
  }
  static inline T step(T x, float alpha) {
    __mmask16 pos = _mm512_cmp_ps_mask(x, _mm512_setzero_ps(), _CMP_GT_OQ);
    __mmask16 nan = _mm512_cmp_ps_mask(x, x, _CMP_UNORD_Q);
    T r = _mm512_mask_blend_ps(pos, _mm512_set1_ps(alpha), _mm512_set1_ps(1.0f));
    return _mm512_mask_blend_ps(nan, r, x);
  }
  static inline void to_array(T v, float* out) { _mm512_storeu_ps(out, v); }
};

#elif defined(WT_ISA_AVX2)

struct S {
  using T = __m256;
  static constexpr int W = 8;
  static constexpr int NREG = 16;
  static constexpr bool kMemBroadcast = false;
  static inline __m256i mask(int n) {
    alignas(32) static const int32_t m[16] = {-1, -1, -1, -1, -1, -1, -1, -1, 0, 0, 0, 0, 0, 0, 0, 0};
    return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(m + 8 - n));
  }
  static inline T zero() { return _mm256_setzero_ps(); }
  static inline T set1(float f) { return _mm256_set1_ps(f); }
  static inline T load(const float* p) { return _mm256_loadu_ps(p); }
  static inline T loadn(const float* p, int n) { return _mm256_maskload_ps(p, mask(n)); }
  static inline void store(float* p, T v) { _mm256_storeu_ps(p, v); }
  static inline void storen(float* p, T v, int n) { _mm256_maskstore_ps(p, mask(n), v); }
  static inline T bcast(const float* p) { return _mm256_broadcast_ss(p); }
  static inline T fma(T a, T b, T c) { return _mm256_fmadd_ps(a, b, c); }
  static inline T add(T a, T b) { return _mm256_add_ps(a, b); }
  static inline T sub(T a, T b) { return _mm256_sub_ps(a, b); }
  static inline T mul(T a, T b) { return _mm256_mul_ps(a, b); }
  static inline T relu(T x) {
    const T keep = _mm256_or_ps(_mm256_cmp_ps(x, _mm256_setzero_ps(), _CMP_GT_OQ), _mm256_cmp_ps(x, x, _CMP_UNORD_Q));
    return _mm256_and_ps(x, keep);
  }
  static inline T step(T x, float alpha) {
    T pos = _mm256_cmp_ps(x, _mm256_setzero_ps(), _CMP_GT_OQ);
    T nan = _mm256_cmp_ps(x, x, _CMP_UNORD_Q);
    T r = _mm256_blendv_ps(_mm256_set1_ps(alpha), _mm256_set1_ps(1.0f), pos);
    return _mm256_blendv_ps(r, x, nan);
  }
  static inline void to_array(T v, float* out) { _mm256_storeu_ps(out, v); }
};

#else  // generic

struct S {
  typedef float T __attribute__((vector_size(32)));
  static constexpr int W = 8;
  static constexpr int NREG = 16;
  static constexpr bool kMemBroadcast = false;
  static inline T zero() { return T{0, 0, 0, 0, 0, 0, 0, 0}; }
  static inline T set1(float f) { return T{f, f, f, f, f, f, f, f}; }
  static inline T load(const float* p) {
    T v;
    std::memcpy(&v, p, sizeof v);
    return v;
  }
  static inline T loadn(const float* p, int n) {
    T v = zero();
    for (int i = 0; i < n; i++) v[i] = p[i];
    return v;
  }
  static inline void store(float* p, T v) { std::memcpy(p, &v, sizeof v); }
  static inline void storen(float* p, T v, int n) {
    for (int i = 0; i < n; i++) p[i] = v[i];
  }
  static inline T bcast(const float* p) { return set1(*p); }
  static inline T fma(T a, T b, T c) {
    T r;
    for (int i = 0; i < W; i++) r[i] = __builtin_fmaf(a[i], b[i], c[i]);
    return r;
  }
  static inline T add(T a, T b) { return a + b; }
  static inline T sub(T a, T b) { return a - b; }
  static inline T mul(T a, T b) { return a * b; }
  static inline T relu(T x) {
    T r;
    for (int i = 0; i < W; i++) r[i] = (x[i] > 0.0f || x[i] != x[i]) ? x[i] : 0.0f;
    return r;
  }
  static inline T step(T x, float alpha) {
    T r;
    for (int i = 0; i < W; i++) r[i] = x[i] != x[i] ? x[i] : (x[i] > 0.0f ? 1.0f : alpha);
    return r;
  }
  static inline void to_array(T v, float* out) { std::memcpy(out, &v, sizeof v); }
};

#endif

}  // namespace WT_ISA
}  // namespace wt
