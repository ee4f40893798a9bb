// Shared declarations of the wt-kernels addon: kernel argument structs, the per-ISA kernel
// table, the thread pool and per-thread scratch memory.
//
// Every kernel is deterministic: each output element is computed by exactly one task with a
// fixed order of operations, and reductions that are split into parts (filter gradients, sums)
// split by the tensor shapes only, never by the thread count or timing. The AVX-512, AVX2 and
// generic builds use the same per-element order with fused multiply-adds, so they agree bit for bit.
#pragma once
#include <cstddef>
#include <cstdint>

namespace wt {

enum Act : int { ACT_NONE = 0, ACT_RELU = 1 };

/** bias (none, one scalar, or one value per output channel) then activation */
struct Epilogue {
  const float* bias = nullptr;
  int64_t bias_size = 0;  // 0, 1 or the output channel count
  int act = ACT_NONE;
};

/** geometry of a convolution: input [n,h,w_,c], filter [kh,kw,c,co], output [n,oh,ow,co] */
struct ConvShape {
  int n, h, w_, c, kh, kw, co, oh, ow, sh, sw, pt, pl;
};

/** y[n,oh,ow,co] = act(Σ x[n, oh·sh + kh − pt, ow·sw + kw − pl, ci] · w[kh,kw,ci,co] + bias) */
struct ConvArgs : ConvShape {
  const float* x;
  const float* w;
  float* y;
  Epilogue ep;
};

/** gradients of ConvArgs' convolution: dx from dy and w, or dw from x and dy (c = input channels) */
struct ConvGradArgs : ConvShape {
  const float* x;   // BackpropFilter: input
  const float* w;   // BackpropInput: filter
  const float* dy;
  float* out;       // dx or dw
};

/** y[b] = op(a[b]) · op(b[b]) (+ epilogue); a/b batch 1 broadcasts */
struct MatMulArgs {
  const float* a;
  const float* b;
  float* y;
  Epilogue ep;
  int64_t batch_a, batch_b, m, k, n;
  bool ta, tb;
};

enum BinOp : int { BIN_ADD = 0, BIN_SUB = 1, BIN_MUL = 2 };
/** y = a op b elementwise; na/nb is n or 1 (broadcast scalar) */
struct BinaryArgs {
  int op;
  const float* a;
  int64_t na;
  const float* b;
  int64_t nb;
  float* y;
  int64_t n;
};

enum UnOp : int { UN_RELU = 0, UN_STEP = 1 };
struct UnaryArgs {
  int op;
  const float* x;
  float* y;
  int64_t n;
  float alpha;
};

/** x viewed as [outer, reduce, inner] → y [outer, inner] */
struct SumArgs {
  const float* x;
  float* y;
  int64_t outer, reduce, inner;
};

/**
 * The tail of a Fixup block: y = relu((r·scale + bias) + shortcut), scale and bias scalars. Each
 * operation is rounded on its own, in this order, so y equals the separate Multiply, Add, Add and
 * Relu kernels bit for bit.
 */
struct ResidualTailArgs {
  const float* r;
  const float* scale;
  const float* bias;
  const float* shortcut;
  float* y;
  int64_t n;
};

/**
 * The backward pass of y = relu(t) and of scalar ops before it, in one pass over the data:
 *   g = dy·step(y);  dr = g·scale (when dr is set);  sum_g = Σ g;  sum_gr = Σ g·r (when r is set).
 * The sums are cut into chunks and folded exactly as sum() cuts and folds a full reduction, so
 * every output equals the separate Step, Multiply and Sum kernels bit for bit.
 */
struct ReluGradArgs {
  const float* dy;
  const float* y;
  const float* r;      // optional
  const float* scale;  // with dr
  float* g;
  float* dr;           // optional
  float* sum_g;
  float* sum_gr;       // with r
  int64_t n;
};

struct Kernels {
  const char* isa;
  void (*conv2d)(const ConvArgs&);
  void (*backprop_input)(const ConvGradArgs&);
  void (*backprop_filter)(const ConvGradArgs&);
  void (*matmul)(const MatMulArgs&);
  void (*binary)(const BinaryArgs&);
  void (*unary)(const UnaryArgs&);
  void (*sum)(const SumArgs&);
  void (*residual_tail)(const ResidualTailArgs&);
  void (*relu_grad)(const ReluGradArgs&);
};

extern const Kernels kernels_generic;
#if defined(WT_X86)
extern const Kernels kernels_avx2;
extern const Kernels kernels_avx512;
#endif

// ---- thread pool (pool.cc) ----

/** Run fn(ctx, i) for i in [0, n) on the pool (the calling thread takes part); returns when all are done. */
void parallel_for_raw(int64_t n, void (*fn)(void*, int64_t), void* ctx);

template <class F>
inline void parallel_for(int64_t n, const F& f) {
  if (n <= 0) return;
  if (n == 1) {
    f(0);
    return;
  }
  parallel_for_raw(n, [](void* c, int64_t i) { (*static_cast<const F*>(c))(i); }, const_cast<void*>(static_cast<const void*>(&f)));
}

/** threads a parallel_for uses (workers + the caller) */
int pool_threads();
void pool_set_threads(int n);

/** A 64-byte aligned buffer of at least `floats` floats owned by the calling thread (slots 0..3). */
float* thread_scratch(int slot, size_t floats);

}  // namespace wt
