// The kernels, written once over the SIMD traits S (simd.h) and compiled once per instruction
// set (isa_avx512.cc, isa_avx2.cc, isa_generic.cc), each TU defining WT_ISA first.
//
// Convolutions work on NHWC data in place (the wasm heap) with packed filters:
//
// * Forward / input gradient / MatMul share one "direct convolution" core. A micro-kernel keeps
//   P output pixels × V vectors of output channels in registers and, for every filter tap row and
//   every k = (kw, ci) of that row, multiplies one broadcast input value per pixel with V filter
//   vectors. Input rows that need zero padding are first copied into a padded per-task scratch
//   (only the rows the task reads); interior tasks read the tensor directly. The input gradient
//   is the same core on dy: one stride-1 convolution per stride phase, with the spatially flipped,
//   channel-transposed sub-filter of that phase, written to every stride-th dx position.
// * The filter gradient keeps R input channels × V output-channel vectors of one filter tap in
//   registers and streams the output pixels whose input pixel exists for that tap (no padding, no
//   im2col). The batch is cut into chunks by the tensor shapes only; chunk partial sums are added
//   in chunk order, so the result does not depend on the thread count.
//
// Per output element the order of fused multiply-adds never depends on the blocking or on the
// vector width, so all ISAs produce the same bits.
#include <algorithm>
#include <array>
#include <cstring>
#include <utility>
#include <vector>

#include "kernels.h"
#include "simd.h"

#define WT_CAT2(a, b) a##b
#define WT_CAT(a, b) WT_CAT2(a, b)

namespace wt {
namespace WT_ISA {
namespace {

using T = S::T;
constexpr int W = S::W;

inline int64_t ceil_div(int64_t a, int64_t b) { return a >= 0 ? (a + b - 1) / b : -((-a) / b); }
inline int64_t floor_div(int64_t a, int64_t b) { return a >= 0 ? a / b : -((-a + b - 1) / b); }
inline int round_up(int a, int b) { return (a + b - 1) / b * b; }

// ---------------------------------------------------------------------------------------------
// Direct convolution core

/** output vectors per micro-kernel call, and pixels for V vectors (accumulators + V filter vectors fit the registers) */
constexpr int VMAX = S::NREG == 32 ? 4 : 2;
constexpr int pmax(int v) { return S::NREG == 32 ? (v <= 2 ? 12 : v == 3 ? 8 : 6) : (v == 1 ? 12 : 6); }
constexpr int TABLE = 25;

struct EpiArgs {
  const float* bias;  // at this block's first channel (mode 2) or the scalar (mode 1)
  int mode;           // 0 none, 1 scalar, 2 per channel
  int act;
};

template <int P, int V>
void conv_micro(const float* in, int64_t px_pitch, int64_t row_pitch, int kh_n, int kseg, const float* w, int64_t w_pitch,
                float* y, int64_t y_px_pitch, int last_n, EpiArgs ep) {
  T acc[P][V];
#pragma GCC unroll 16
  for (int p = 0; p < P; p++)
#pragma GCC unroll 4
    for (int v = 0; v < V; v++) acc[p][v] = S::zero();
  for (int r = 0; r < kh_n; r++) {
    const float* xr = in + r * row_pitch;
    const float* wr = w + static_cast<int64_t>(r) * kseg * w_pitch;
    for (int k = 0; k < kseg; k++) {
      T wv[V];
#pragma GCC unroll 4
      for (int v = 0; v < V; v++) wv[v] = S::load(wr + v * W);
#pragma GCC unroll 16
      for (int p = 0; p < P; p++) {
        const T b = S::bcast(xr + p * px_pitch);
#pragma GCC unroll 4
        for (int v = 0; v < V; v++) acc[p][v] = S::fma(b, wv[v], acc[p][v]);
      }
      xr += 1;
      wr += w_pitch;
    }
  }
  T bv[V];
  for (int v = 0; v < V; v++) bv[v] = S::zero();
  if (ep.mode == 1) {
    for (int v = 0; v < V; v++) bv[v] = S::set1(ep.bias[0]);
  } else if (ep.mode == 2) {
    for (int v = 0; v < V; v++) bv[v] = (v == V - 1 && last_n != W) ? S::loadn(ep.bias + v * W, last_n) : S::load(ep.bias + v * W);
  }
#pragma GCC unroll 16
  for (int p = 0; p < P; p++)
#pragma GCC unroll 4
    for (int v = 0; v < V; v++) {
      T o = acc[p][v];
      if (ep.mode) o = S::add(o, bv[v]);
      if (ep.act == ACT_RELU) o = S::relu(o);
      float* dst = y + p * y_px_pitch + v * W;
      if (v == V - 1 && last_n != W)
        S::storen(dst, o, last_n);
      else
        S::store(dst, o);
    }
}

using ConvMicro = void (*)(const float*, int64_t, int64_t, int, int, const float*, int64_t, float*, int64_t, int, EpiArgs);

template <int V, int... P>
std::array<ConvMicro, TABLE> conv_table(std::integer_sequence<int, P...>) {
  std::array<ConvMicro, TABLE> t{};
  ((t[P + 1] = &conv_micro<P + 1, V>), ...);
  return t;
}

const std::array<ConvMicro, TABLE> kConv[5] = {
    {},
    conv_table<1>(std::make_integer_sequence<int, pmax(1)>{}),
    conv_table<2>(std::make_integer_sequence<int, pmax(2)>{}),
    conv_table<VMAX >= 3 ? 3 : 1>(std::make_integer_sequence<int, pmax(VMAX >= 3 ? 3 : 1)>{}),
    conv_table<VMAX >= 4 ? 4 : 1>(std::make_integer_sequence<int, pmax(VMAX >= 4 ? 4 : 1)>{}),
};

/**
 * out[o_r, o_c, :co] = Σ_{r < kh, q < kw, ci < c} src[o_r·sh + r + origin_r, o_c·sw + q + origin_c, ci] · w[r, q·c + ci, :]
 * for one image; source pixels outside the source are zero. w is packed [kh][kw·c][cop].
 */
struct CoreJob {
  const float* src;  // [src_h, src_w, c] of image 0
  int64_t src_img;   // floats between images (0: every image reads image 0)
  int src_h, src_w, c;
  int origin_r, origin_c;
  int sh, sw, kh, kw;
  const float* w;
  int cop, co;
  float* dst;
  int64_t dst_img, dst_row, dst_px;
  int out_h, out_w;
  Epilogue ep;
};

/** Rows [o0, o1) and pixels [p0, p1) of image n. */
void core_block(const CoreJob& j, int64_t n, int o0, int o1, int p0, int p1) {
  const int c = j.c;
  const int kseg = j.kw * c;
  const int rows_in = (o1 - o0 - 1) * j.sh + j.kh;
  const int cols_in = (p1 - p0 - 1) * j.sw + j.kw;
  const int r_first = o0 * j.sh + j.origin_r;
  const int c_first = p0 * j.sw + j.origin_c;
  const float* img = j.src + n * j.src_img;
  const float* in;
  int64_t row_pitch;
  if (r_first >= 0 && r_first + rows_in <= j.src_h && c_first >= 0 && c_first + cols_in <= j.src_w) {
    in = img + (static_cast<int64_t>(r_first) * j.src_w + c_first) * c;
    row_pitch = static_cast<int64_t>(j.src_w) * c;
  } else {
    row_pitch = static_cast<int64_t>(cols_in) * c;
    float* buf = thread_scratch(0, static_cast<size_t>(rows_in) * row_pitch);
    const int lo = std::max(0, -c_first);
    const int hi = std::min(cols_in, j.src_w - c_first);
    for (int r = 0; r < rows_in; r++) {
      float* d = buf + r * row_pitch;
      const int sr = r_first + r;
      if (sr < 0 || sr >= j.src_h || hi <= lo) {
        std::memset(d, 0, row_pitch * sizeof(float));
        continue;
      }
      if (lo > 0) std::memset(d, 0, static_cast<size_t>(lo) * c * sizeof(float));
      std::memcpy(d + static_cast<int64_t>(lo) * c, img + (static_cast<int64_t>(sr) * j.src_w + c_first + lo) * c,
                  static_cast<size_t>(hi - lo) * c * sizeof(float));
      if (hi < cols_in) std::memset(d + static_cast<int64_t>(hi) * c, 0, static_cast<size_t>(cols_in - hi) * c * sizeof(float));
    }
    in = buf;
  }
  const int nv = j.cop / W;
  const int nblk = (nv + VMAX - 1) / VMAX;
  const int64_t px_pitch = static_cast<int64_t>(j.sw) * c;
  const int npx = p1 - p0;
  for (int b = 0; b < nblk; b++) {
    const int v0 = nv * b / nblk, v1 = nv * (b + 1) / nblk, V = v1 - v0;
    const int co0 = v0 * W;
    const int last_n = v1 == nv ? j.co - (nv - 1) * W : W;
    EpiArgs ep{nullptr, 0, j.ep.act};
    if (j.ep.bias && j.ep.bias_size == 1) ep = {j.ep.bias, 1, j.ep.act};
    if (j.ep.bias && j.ep.bias_size > 1) ep = {j.ep.bias + co0, 2, j.ep.act};
    const int pm = pmax(V);
    const int npb = (npx + pm - 1) / pm;
    const ConvMicro* table = kConv[V].data();
    for (int o = o0; o < o1; o++) {
      const float* in_row = in + static_cast<int64_t>(o - o0) * j.sh * row_pitch;
      float* out_row = j.dst + n * j.dst_img + static_cast<int64_t>(o) * j.dst_row + static_cast<int64_t>(p0) * j.dst_px + co0;
      for (int q = 0; q < npb; q++) {
        const int a0 = npx * q / npb, a1 = npx * (q + 1) / npb;
        table[a1 - a0](in_row + a0 * px_pitch, px_pitch, row_pitch, j.kh, kseg, j.w + co0, j.cop, out_row + a0 * j.dst_px, j.dst_px, last_n, ep);
      }
    }
  }
}

/** Tasks for `jobs` over `batch` images: whole images when there are enough, else row blocks. */
void run_core(std::vector<CoreJob> jobs, int64_t batch) {
  jobs.erase(std::remove_if(jobs.begin(), jobs.end(), [](const CoreJob& j) { return j.out_h <= 0 || j.out_w <= 0; }), jobs.end());
  if (jobs.empty() || batch == 0) return;
  const int threads = pool_threads();
  struct Split {
    int rows_per_task, blocks;
  };
  std::vector<Split> split(jobs.size());
  std::vector<int64_t> first(jobs.size() + 1, 0);
  for (size_t i = 0; i < jobs.size(); i++) {
    const CoreJob& j = jobs[i];
    const int64_t row_bytes = static_cast<int64_t>((j.out_w - 1) * j.sw + j.kw) * j.c * j.sh * sizeof(float);
    int rpt = static_cast<int>(std::max<int64_t>(1, std::min<int64_t>(j.out_h, (192 << 10) / std::max<int64_t>(1, row_bytes))));
    while (rpt > 1 && batch * static_cast<int64_t>(jobs.size()) * ((j.out_h + rpt - 1) / rpt) < 4 * threads) rpt = (rpt + 1) / 2;
    split[i] = {rpt, (j.out_h + rpt - 1) / rpt};
    first[i + 1] = first[i] + batch * split[i].blocks;
  }
  parallel_for(first.back(), [&](int64_t t) {
    size_t i = 0;
    while (t >= first[i + 1]) i++;
    const int64_t local = t - first[i];
    const int64_t n = local / split[i].blocks;
    const int b = static_cast<int>(local % split[i].blocks);
    const int o0 = b * split[i].rows_per_task;
    const int o1 = std::min(jobs[i].out_h, o0 + split[i].rows_per_task);
    core_block(jobs[i], n, o0, o1, 0, jobs[i].out_w);
  });
}

/** Filter [kh][kw][c][co] as [kh][kw·c][cop] (zero-padded channels), or the filter itself when co == cop. */
const float* pack_filter(const float* w, int64_t rows, int co, int cop) {
  if (co == cop) return w;
  float* p = thread_scratch(1, static_cast<size_t>(rows) * cop);
  for (int64_t r = 0; r < rows; r++) {
    std::memcpy(p + r * cop, w + r * co, co * sizeof(float));
    std::memset(p + r * cop + co, 0, (cop - co) * sizeof(float));
  }
  return p;
}

void conv2d(const ConvArgs& a) {
  const int cop = round_up(a.co, W);
  CoreJob j{};
  j.src = a.x;
  j.src_img = static_cast<int64_t>(a.h) * a.w_ * a.c;
  j.src_h = a.h;
  j.src_w = a.w_;
  j.c = a.c;
  j.origin_r = -a.pt;
  j.origin_c = -a.pl;
  j.sh = a.sh;
  j.sw = a.sw;
  j.kh = a.kh;
  j.kw = a.kw;
  j.w = pack_filter(a.w, static_cast<int64_t>(a.kh) * a.kw * a.c, a.co, cop);
  j.cop = cop;
  j.co = a.co;
  j.dst = a.y;
  j.dst_px = a.co;
  j.dst_row = static_cast<int64_t>(a.ow) * a.co;
  j.dst_img = static_cast<int64_t>(a.oh) * j.dst_row;
  j.out_h = a.oh;
  j.out_w = a.ow;
  j.ep = a.ep;
  run_core({j}, a.n);
}

// ---------------------------------------------------------------------------------------------
// Input gradient: one stride-1 convolution of dy per stride phase

struct Phase {
  int p, taps, qmin, count;
};

/** Phases of one axis: dx positions i = q·s + p − pad (q ∈ [qmin, qmin+count)) use filter taps p + t·s. */
int axis_phases(int in_size, int k, int s, int pad, Phase* out) {
  int n = 0;
  for (int p = 0; p < s; p++) {
    const int taps = p < k ? static_cast<int>(ceil_div(k - p, s)) : 0;
    const int qmin = static_cast<int>(ceil_div(pad - p, s));
    const int qmax = static_cast<int>(floor_div(in_size - 1 + pad - p, s));
    if (qmax < qmin) continue;
    out[n++] = {p, taps, qmin, qmax - qmin + 1};
  }
  return n;
}

void backprop_input(const ConvGradArgs& a) {
  const int ci = a.c, co = a.co;
  const int cip = round_up(ci, W);
  std::vector<Phase> rows(a.sh), cols(a.sw);
  const int nr = axis_phases(a.h, a.kh, a.sh, a.pt, rows.data());
  const int nc = axis_phases(a.w_, a.kw, a.sw, a.pl, cols.data());
  // sub-filters [tr][tc][co][cip]: taps flipped, channels transposed
  int64_t total = 0;
  for (int r = 0; r < nr; r++)
    for (int c = 0; c < nc; c++) total += static_cast<int64_t>(rows[r].taps) * cols[c].taps * co * cip;
  float* packed = thread_scratch(1, static_cast<size_t>(std::max<int64_t>(total, 1)));
  std::vector<CoreJob> jobs;
  struct Zero {
    float* dst;
    int rows, cols;
  };
  std::vector<Zero> zeros;
  int64_t off = 0;
  const int64_t dx_img = static_cast<int64_t>(a.h) * a.w_ * ci;
  for (int r = 0; r < nr; r++)
    for (int c = 0; c < nc; c++) {
      const Phase& pr = rows[r];
      const Phase& pc = cols[c];
      float* dst = a.out + ((static_cast<int64_t>(pr.qmin) * a.sh + pr.p - a.pt) * a.w_ + (static_cast<int64_t>(pc.qmin) * a.sw + pc.p - a.pl)) * ci;
      if (pr.taps == 0 || pc.taps == 0) {
        zeros.push_back({dst, pr.count, pc.count});
        continue;
      }
      float* sub = packed + off;
      off += static_cast<int64_t>(pr.taps) * pc.taps * co * cip;
      for (int ta = 0; ta < pr.taps; ta++)
        for (int tb = 0; tb < pc.taps; tb++) {
          const int fh = pr.p + (pr.taps - 1 - ta) * a.sh;
          const int fw = pc.p + (pc.taps - 1 - tb) * a.sw;
          const float* src = a.w + (static_cast<int64_t>(fh) * a.kw + fw) * ci * co;
          float* d = sub + (static_cast<int64_t>(ta) * pc.taps + tb) * co * cip;
          for (int o = 0; o < co; o++) {
            for (int i = 0; i < ci; i++) d[o * cip + i] = src[static_cast<int64_t>(i) * co + o];
            for (int i = ci; i < cip; i++) d[o * cip + i] = 0.0f;
          }
        }
      CoreJob j{};
      j.src = a.dy;
      j.src_img = static_cast<int64_t>(a.oh) * a.ow * co;
      j.src_h = a.oh;
      j.src_w = a.ow;
      j.c = co;
      j.origin_r = pr.qmin - (pr.taps - 1);
      j.origin_c = pc.qmin - (pc.taps - 1);
      j.sh = 1;
      j.sw = 1;
      j.kh = pr.taps;
      j.kw = pc.taps;
      j.w = sub;
      j.cop = cip;
      j.co = ci;
      j.dst = dst;
      j.dst_img = dx_img;
      j.dst_row = static_cast<int64_t>(a.sh) * a.w_ * ci;
      j.dst_px = static_cast<int64_t>(a.sw) * ci;
      j.out_h = pr.count;
      j.out_w = pc.count;
      jobs.push_back(j);
    }
  if (!zeros.empty()) {
    const int64_t row = static_cast<int64_t>(a.sh) * a.w_ * ci, px = static_cast<int64_t>(a.sw) * ci;
    parallel_for(a.n, [&](int64_t n) {
      for (const Zero& z : zeros)
        for (int r = 0; r < z.rows; r++)
          for (int c = 0; c < z.cols; c++) std::memset(z.dst + n * dx_img + r * row + c * px, 0, ci * sizeof(float));
    });
  }
  run_core(jobs, a.n);
}

// ---------------------------------------------------------------------------------------------
// Filter gradient

/** accumulator budget of the filter-gradient micro kernel (R·V·CH ≤ this) */
constexpr int DW_ACC = S::NREG == 32 ? 24 : 12;
constexpr int rmax(int v, int ch) { return std::max(1, DW_ACC / (v * ch)); }

template <int R, int V>
__attribute__((always_inline)) inline void dw_step(const float* xp, const float* dp, T (&a)[R][V], int last_n) {
  T d[V];
#pragma GCC unroll 4
  for (int v = 0; v < V; v++) d[v] = (v == V - 1 && last_n != W) ? S::loadn(dp + v * W, last_n) : S::load(dp + v * W);
#pragma GCC unroll 24
  for (int r = 0; r < R; r++) {
    const T b = S::bcast(xp + r);
#pragma GCC unroll 4
    for (int v = 0; v < V; v++) a[r][v] = S::fma(b, d[v], a[r][v]);
  }
}

/**
 * part[r][co0 + v·W + lane] = Σ_rows Σ_{q < cnt} x_row[q·x_px + r] · dy_row[q·dy_px + v·W + lane].
 * CH > 1 splits the pixels of each row into CH interleaved sums (for small R), added at the end.
 */
template <int R, int V, int CH>
void dw_micro(const float* const* xs, const float* const* dys, int nrows, int cnt, int64_t x_px, int64_t dy_px, float* part, int64_t part_pitch,
              int last_n) {
  T acc[CH][R][V];
#pragma GCC unroll 4
  for (int h = 0; h < CH; h++)
#pragma GCC unroll 24
    for (int r = 0; r < R; r++)
#pragma GCC unroll 4
      for (int v = 0; v < V; v++) acc[h][r][v] = S::zero();
  for (int i = 0; i < nrows; i++) {
    const float* xp = xs[i];
    const float* dp = dys[i];
    int q = 0;
    for (; q + CH <= cnt; q += CH) {
#pragma GCC unroll 4
      for (int h = 0; h < CH; h++) dw_step<R, V>(xp + h * x_px, dp + h * dy_px, acc[h], last_n);
      xp += CH * x_px;
      dp += CH * dy_px;
    }
#pragma GCC unroll 4
    for (int h = 0; h < CH - 1; h++)
      if (q + h < cnt) dw_step<R, V>(xp + h * x_px, dp + h * dy_px, acc[h], last_n);
  }
#pragma GCC unroll 24
  for (int r = 0; r < R; r++)
#pragma GCC unroll 4
    for (int v = 0; v < V; v++) {
      T s = acc[0][r][v];
      if (CH == 4) s = S::add(S::add(acc[0][r][v], acc[1 % CH][r][v]), S::add(acc[2 % CH][r][v], acc[3 % CH][r][v]));
      S::store(part + r * part_pitch + v * W, s);
    }
}

using DwMicro = void (*)(const float* const*, const float* const*, int, int, int64_t, int64_t, float*, int64_t, int);

template <int V, int CH, int... R>
std::array<DwMicro, TABLE> dw_table(std::integer_sequence<int, R...>) {
  std::array<DwMicro, TABLE> t{};
  ((t[R + 1] = &dw_micro<R + 1, V, CH>), ...);
  return t;
}

template <int CH>
struct DwTables {
  static constexpr int V3 = VMAX >= 3 ? 3 : 1;
  static constexpr int V4 = VMAX >= 4 ? 4 : 1;
  const std::array<DwMicro, TABLE> t[5] = {
      {},
      dw_table<1, CH>(std::make_integer_sequence<int, rmax(1, CH)>{}),
      dw_table<2, CH>(std::make_integer_sequence<int, rmax(2, CH)>{}),
      dw_table<V3, CH>(std::make_integer_sequence<int, rmax(V3, CH)>{}),
      dw_table<V4, CH>(std::make_integer_sequence<int, rmax(V4, CH)>{}),
  };
};
const DwTables<1> kDw1;
const DwTables<4> kDw4;

void backprop_filter(const ConvGradArgs& a) {
  const int C = a.c, Co = a.co, KH = a.kh, KW = a.kw;
  const int cop = round_up(Co, W);
  const int64_t units = static_cast<int64_t>(a.n) * a.oh;  // output rows
  if (units == 0 || a.ow == 0) {
    std::memset(a.out, 0, static_cast<size_t>(KH) * KW * C * Co * sizeof(float));
    return;
  }
  // Chunks of output rows whose dy and x fit in L2 (at most 64): a function of the shapes only.
  const int64_t unit_bytes = static_cast<int64_t>(a.ow) * (Co + static_cast<int64_t>(C) * a.sw * a.sh) * sizeof(float);
  const int64_t per_chunk = std::max<int64_t>(1, (256 << 10) / unit_bytes);
  const int64_t chunks = std::min<int64_t>(64, ceil_div(units, per_chunk));
  const int64_t kcop = static_cast<int64_t>(KH) * KW * C * cop;
  const bool direct = chunks == 1 && cop == Co;
  float* part = direct ? a.out : thread_scratch(2, static_cast<size_t>(chunks * kcop));
  const int CH = C < 8 ? 4 : 1;
  const int nv = cop / W;
  const int nvb = (nv + VMAX - 1) / VMAX;

  parallel_for(chunks * KH * KW, [&](int64_t t) {
    const int64_t chunk = t / (KH * KW);
    const int kh = static_cast<int>(t % (KH * KW)) / KW, kw = static_cast<int>(t % (KH * KW)) % KW;
    const int64_t u0 = units * chunk / chunks, u1 = units * (chunk + 1) / chunks;
    const int oh_lo = static_cast<int>(std::max<int64_t>(0, ceil_div(a.pt - kh, a.sh)));
    const int oh_hi = static_cast<int>(std::min<int64_t>(a.oh, floor_div(a.h - 1 + a.pt - kh, a.sh) + 1));
    const int ow_lo = static_cast<int>(std::max<int64_t>(0, ceil_div(a.pl - kw, a.sw)));
    const int ow_hi = static_cast<int>(std::min<int64_t>(a.ow, floor_div(a.w_ - 1 + a.pl - kw, a.sw) + 1));
    const int cnt = std::max(0, ow_hi - ow_lo);
    const float** ptrs = reinterpret_cast<const float**>(thread_scratch(3, static_cast<size_t>(2 * (u1 - u0) + 2) * sizeof(void*) / sizeof(float)));
    const float** xs = ptrs;
    const float** dys = ptrs + (u1 - u0);
    int nrows = 0;
    if (cnt > 0)
      for (int64_t u = u0; u < u1; u++) {
        const int64_t n = u / a.oh;
        const int oh = static_cast<int>(u % a.oh);
        if (oh < oh_lo || oh >= oh_hi) continue;
        const int64_t ih = static_cast<int64_t>(oh) * a.sh + kh - a.pt, iw = static_cast<int64_t>(ow_lo) * a.sw + kw - a.pl;
        xs[nrows] = a.x + ((n * a.h + ih) * a.w_ + iw) * C;
        dys[nrows] = a.dy + ((n * a.oh + oh) * a.ow + ow_lo) * Co;
        nrows++;
      }
    float* pbase = part + chunk * kcop + (static_cast<int64_t>(kh) * KW + kw) * C * cop;
    const int64_t x_px = static_cast<int64_t>(a.sw) * C;
    for (int b = 0; b < nvb; b++) {
      const int v0 = nv * b / nvb, v1 = nv * (b + 1) / nvb, V = v1 - v0;
      const int co0 = v0 * W;
      const int last_n = v1 == nv ? Co - (nv - 1) * W : W;
      const int rm = rmax(V, CH);
      const int nrb = (C + rm - 1) / rm;
      const DwMicro* table = (CH == 4 ? kDw4.t : kDw1.t)[V].data();
      for (int rb = 0; rb < nrb; rb++) {
        const int c0 = C * rb / nrb, c1 = C * (rb + 1) / nrb;
        // row pointers shifted to this block's channels
        for (int i = 0; i < nrows; i++) {
          xs[i] += c0;
          dys[i] += co0;
        }
        table[c1 - c0](xs, dys, nrows, cnt, x_px, Co, pbase + static_cast<int64_t>(c0) * cop + co0, cop, last_n);
        for (int i = 0; i < nrows; i++) {
          xs[i] -= c0;
          dys[i] -= co0;
        }
      }
    }
  });
  if (direct) return;
  const int64_t krows = static_cast<int64_t>(KH) * KW * C;
  const int64_t per_task = std::max<int64_t>(1, 4096 / cop);
  parallel_for(ceil_div(krows, per_task), [&](int64_t t) {
    const int64_t r0 = t * per_task, r1 = std::min(krows, r0 + per_task);
    for (int64_t r = r0; r < r1; r++) {
      float* dst = a.out + r * Co;
      std::memcpy(dst, part + r * cop, Co * sizeof(float));
      for (int64_t c = 1; c < chunks; c++) {
        const float* s = part + c * kcop + r * cop;
        for (int o = 0; o < Co; o++) dst[o] += s[o];
      }
    }
  });
}

// ---------------------------------------------------------------------------------------------
// MatMul on the direct-convolution core: A [m, k] is one image row of m pixels with k channels.

void matmul(const MatMulArgs& a) {
  const int64_t M = a.m, K = a.k, N = a.n;
  const int np = round_up(static_cast<int>(N), W);
  const int64_t batch = std::max(a.batch_a, a.batch_b);
  if (M == 0 || N == 0) return;
  // B as [k][np] per batch
  const float* bp;
  if (!a.tb && np == N) {
    bp = a.b;
  } else {
    float* p = thread_scratch(1, static_cast<size_t>(a.batch_b * K * np));
    for (int64_t bb = 0; bb < a.batch_b; bb++) {
      const float* src = a.b + bb * K * N;
      float* d = p + bb * K * np;
      for (int64_t kk = 0; kk < K; kk++) {
        for (int64_t j = 0; j < N; j++) d[kk * np + j] = a.tb ? src[j * K + kk] : src[kk * N + j];
        for (int64_t j = N; j < np; j++) d[kk * np + j] = 0.0f;
      }
    }
    bp = p;
  }
  // A as [m][k] per batch
  const float* ap = a.a;
  if (a.ta) {
    float* p = thread_scratch(2, static_cast<size_t>(a.batch_a * M * K));
    for (int64_t bb = 0; bb < a.batch_a; bb++) {
      const float* src = a.a + bb * K * M;
      float* d = p + bb * M * K;
      for (int64_t i = 0; i < M; i++)
        for (int64_t kk = 0; kk < K; kk++) d[i * K + kk] = src[kk * M + i];
    }
    ap = p;
  }
  if (K == 0) {
    // empty sum: epilogue of zeros
    for (int64_t bb = 0; bb < batch; bb++)
      for (int64_t i = 0; i < M; i++)
        for (int64_t j = 0; j < N; j++) {
          float v = 0.0f;
          if (a.ep.bias) v += a.ep.bias_size == 1 ? a.ep.bias[0] : a.ep.bias[j];
          if (a.ep.act == ACT_RELU && v < 0.0f) v = 0.0f;
          a.y[(bb * M + i) * N + j] = v;
        }
    return;
  }
  const int64_t rows_per_task = 64;
  const int64_t blocks = ceil_div(M, rows_per_task);
  parallel_for(batch * blocks, [&](int64_t t) {
    const int64_t bb = t / blocks, blk = t % blocks;
    CoreJob j{};
    j.src = ap + (a.batch_a > 1 ? bb : 0) * M * K;
    j.src_img = 0;
    j.src_h = 1;
    j.src_w = static_cast<int>(M);
    j.c = static_cast<int>(K);
    j.sh = j.sw = j.kh = j.kw = 1;
    j.w = bp + (a.batch_b > 1 ? bb : 0) * K * np;
    j.cop = np;
    j.co = static_cast<int>(N);
    j.dst = a.y + bb * M * N;
    j.dst_px = N;
    j.out_h = 1;
    j.out_w = static_cast<int>(M);
    j.ep = a.ep;
    core_block(j, 0, 0, 1, static_cast<int>(blk * rows_per_task), static_cast<int>(std::min(M, (blk + 1) * rows_per_task)));
  });
}

// ---------------------------------------------------------------------------------------------
// Element-wise ops and sums

constexpr int64_t EW_BLOCK = 1 << 15;  // elements per task of element-wise ops
constexpr int64_t EW_PARALLEL = 1 << 16;

template <class F>
void for_blocks(int64_t n, const F& f) {
  if (n < EW_PARALLEL) {
    f(0, n);
    return;
  }
  parallel_for(ceil_div(n, EW_BLOCK), [&](int64_t t) { f(t * EW_BLOCK, std::min(n, (t + 1) * EW_BLOCK)); });
}

template <int OP>
inline T binop(T x, T y) {
  return OP == BIN_ADD ? S::add(x, y) : OP == BIN_SUB ? S::sub(x, y) : S::mul(x, y);
}

template <int OP>
void binary_op(const BinaryArgs& a) {
  const bool sa = a.na == 1 && a.n != 1, sb = a.nb == 1 && a.n != 1;
  for_blocks(a.n, [&](int64_t i0, int64_t i1) {
    const T va = S::set1(a.a[0]), vb = S::set1(a.b[0]);
    int64_t i = i0;
    for (; i + W <= i1; i += W) {
      const T x = sa ? va : S::load(a.a + i);
      const T y = sb ? vb : S::load(a.b + i);
      S::store(a.y + i, binop<OP>(x, y));
    }
    if (i < i1) {
      const int r = static_cast<int>(i1 - i);
      const T x = sa ? va : S::loadn(a.a + i, r);
      const T y = sb ? vb : S::loadn(a.b + i, r);
      S::storen(a.y + i, binop<OP>(x, y), r);
    }
  });
}

void binary(const BinaryArgs& a) {
  switch (a.op) {
    case BIN_ADD: return binary_op<BIN_ADD>(a);
    case BIN_SUB: return binary_op<BIN_SUB>(a);
    default: return binary_op<BIN_MUL>(a);
  }
}

void unary(const UnaryArgs& a) {
  for_blocks(a.n, [&](int64_t i0, int64_t i1) {
    int64_t i = i0;
    for (; i + W <= i1; i += W) {
      const T x = S::load(a.x + i);
      S::store(a.y + i, a.op == UN_RELU ? S::relu(x) : S::step(x, a.alpha));
    }
    if (i < i1) {
      const int r = static_cast<int>(i1 - i);
      const T x = S::loadn(a.x + i, r);
      S::storen(a.y + i, a.op == UN_RELU ? S::relu(x) : S::step(x, a.alpha), r);
    }
  });
}

/** elements per partial sum (a multiple of 64) */
constexpr int64_t SUM_CHUNK = 1 << 14;
constexpr int LANES = 64;

constexpr int NV_LANES = LANES / W;

/** The 64 lane sums folded by a fixed tree: lane l + s into lane l, s = 32, 16, …, 1. */
float fold_lanes(const T (&acc)[NV_LANES]) {
  float lanes[LANES];
  for (int j = 0; j < NV_LANES; j++) S::to_array(acc[j], lanes + j * W);
  for (int s = LANES / 2; s >= 1; s /= 2)
    for (int l = 0; l < s; l++) lanes[l] = lanes[l] + lanes[l + s];
  return lanes[0];
}

/** Σ x[0..n) as 64 interleaved lane sums (element i → lane i mod 64) folded by a fixed tree. */
float lane_sum(const float* x, int64_t n) {
  T acc[NV_LANES];
  for (int j = 0; j < NV_LANES; j++) acc[j] = S::zero();
  int64_t i = 0;
  for (; i + LANES <= n; i += LANES)
#pragma GCC unroll 8
    for (int j = 0; j < NV_LANES; j++) acc[j] = S::add(acc[j], S::load(x + i + j * W));
  if (i < n)
    for (int j = 0; j < NV_LANES; j++) {
      const int64_t r = n - i - j * W;
      acc[j] = S::add(acc[j], r >= W ? S::load(x + i + j * W) : r > 0 ? S::loadn(x + i + j * W, static_cast<int>(r)) : S::zero());
    }
  return fold_lanes(acc);
}

void sum(const SumArgs& a) {
  const int64_t outer = a.outer, red = a.reduce, inner = a.inner;
  if (red == 0) {
    std::memset(a.y, 0, static_cast<size_t>(outer * inner) * sizeof(float));
    return;
  }
  if (inner == 1) {
    const int64_t chunks = ceil_div(red, SUM_CHUNK);
    float* part = thread_scratch(2, static_cast<size_t>(outer * chunks));
    auto task = [&](int64_t t) {
      const int64_t o = t / chunks, c = t % chunks;
      part[t] = lane_sum(a.x + o * red + c * SUM_CHUNK, std::min(SUM_CHUNK, red - c * SUM_CHUNK));
    };
    if (outer * red < EW_PARALLEL)
      for (int64_t t = 0; t < outer * chunks; t++) task(t);
    else
      parallel_for(outer * chunks, task);
    for (int64_t o = 0; o < outer; o++) {
      double s = 0.0;
      for (int64_t c = 0; c < chunks; c++) s += part[o * chunks + c];
      a.y[o] = static_cast<float>(s);
    }
    return;
  }
  // inner > 1: per element a sequential sum over `reduce`, cut into chunks of rows
  const int64_t rows_per_chunk = std::max<int64_t>(1, SUM_CHUNK / inner);
  const int64_t chunks = ceil_div(red, rows_per_chunk);
  float* part = chunks == 1 ? a.y : thread_scratch(2, static_cast<size_t>(outer * chunks * inner));
  auto task = [&](int64_t t) {
    const int64_t o = t / chunks, c = t % chunks;
    const int64_t r0 = c * rows_per_chunk, r1 = std::min(red, r0 + rows_per_chunk);
    const float* x = a.x + o * red * inner;
    float* dst = part + (o * chunks + c) * inner;
    int64_t i = 0;
    for (; i + W <= inner; i += W) {
      T s = S::load(x + r0 * inner + i);
      for (int64_t r = r0 + 1; r < r1; r++) s = S::add(s, S::load(x + r * inner + i));
      S::store(dst + i, s);
    }
    if (i < inner) {
      const int n = static_cast<int>(inner - i);
      T s = S::loadn(x + r0 * inner + i, n);
      for (int64_t r = r0 + 1; r < r1; r++) s = S::add(s, S::loadn(x + r * inner + i, n));
      S::storen(dst + i, s, n);
    }
  };
  if (outer * red * inner < EW_PARALLEL)
    for (int64_t t = 0; t < outer * chunks; t++) task(t);
  else
    parallel_for(outer * chunks, task);
  if (chunks == 1) return;
  for (int64_t o = 0; o < outer; o++)
    for (int64_t i = 0; i < inner; i++) {
      float s = part[(o * chunks) * inner + i];
      for (int64_t c = 1; c < chunks; c++) s += part[(o * chunks + c) * inner + i];
      a.y[o * inner + i] = s;
    }
}

void residual_tail(const ResidualTailArgs& a) {
  const T sc = S::set1(*a.scale), b = S::set1(*a.bias);
  auto tail = [&](T r, T s) { return S::relu(S::add(S::add(S::mul(r, sc), b), s)); };
  for_blocks(a.n, [&](int64_t i0, int64_t i1) {
    int64_t i = i0;
    for (; i + W <= i1; i += W) S::store(a.y + i, tail(S::load(a.r + i), S::load(a.shortcut + i)));
    if (i < i1) {
      const int n = static_cast<int>(i1 - i);
      S::storen(a.y + i, tail(S::loadn(a.r + i, n), S::loadn(a.shortcut + i, n)), n);
    }
  });
}

/** relu_grad on the `rem` elements at k (a full vector when rem ≥ W, none when rem ≤ 0, as lane_sum loads them) */
inline void relu_grad_vector(const ReluGradArgs& a, T sc, int64_t k, int64_t rem, T& ag, T& agr) {
  if (rem <= 0) {
    ag = S::add(ag, S::zero());
    if (a.r) agr = S::add(agr, S::zero());
    return;
  }
  const int n = rem >= W ? W : static_cast<int>(rem);
  const bool full = n == W;
  const T dy = full ? S::load(a.dy + k) : S::loadn(a.dy + k, n);
  const T y = full ? S::load(a.y + k) : S::loadn(a.y + k, n);
  const T g = S::mul(dy, S::step(y, 0.0f));
  full ? S::store(a.g + k, g) : S::storen(a.g + k, g, n);
  ag = S::add(ag, g);
  if (a.dr) {
    const T d = S::mul(g, sc);
    full ? S::store(a.dr + k, d) : S::storen(a.dr + k, d, n);
  }
  if (a.r) agr = S::add(agr, S::mul(g, full ? S::load(a.r + k) : S::loadn(a.r + k, n)));
}

void relu_grad(const ReluGradArgs& a) {
  const int64_t n = a.n;
  const int64_t chunks = ceil_div(n, SUM_CHUNK);
  float* part = thread_scratch(2, static_cast<size_t>(2 * std::max<int64_t>(1, chunks)));
  const T sc = a.scale ? S::set1(*a.scale) : S::zero();
  auto task = [&](int64_t c) {
    const int64_t c0 = c * SUM_CHUNK, len = std::min(SUM_CHUNK, n - c0);
    T ag[NV_LANES], agr[NV_LANES];
    for (int j = 0; j < NV_LANES; j++) ag[j] = agr[j] = S::zero();
    int64_t i = 0;
    for (; i + LANES <= len; i += LANES)
      for (int j = 0; j < NV_LANES; j++) relu_grad_vector(a, sc, c0 + i + j * W, W, ag[j], agr[j]);
    if (i < len)
      for (int j = 0; j < NV_LANES; j++) relu_grad_vector(a, sc, c0 + i + j * W, len - i - j * W, ag[j], agr[j]);
    part[2 * c] = fold_lanes(ag);
    part[2 * c + 1] = a.r ? fold_lanes(agr) : 0.0f;
  };
  if (n < EW_PARALLEL)
    for (int64_t c = 0; c < chunks; c++) task(c);
  else
    parallel_for(chunks, task);
  double sg = 0.0, sgr = 0.0;
  for (int64_t c = 0; c < chunks; c++) sg += part[2 * c], sgr += part[2 * c + 1];
  *a.sum_g = static_cast<float>(sg);
  if (a.r) *a.sum_gr = static_cast<float>(sgr);
}

}  // namespace
}  // namespace WT_ISA

extern const Kernels WT_CAT(kernels_, WT_ISA);
const Kernels WT_CAT(kernels_, WT_ISA) = {
#define WT_STR2(x) #x
#define WT_STR(x) WT_STR2(x)
    WT_STR(WT_ISA),
    &WT_ISA::conv2d,
    &WT_ISA::backprop_input,
    &WT_ISA::backprop_filter,
    &WT_ISA::matmul,
    &WT_ISA::binary,
    &WT_ISA::unary,
    &WT_ISA::sum,
    &WT_ISA::residual_tail,
    &WT_ISA::relu_grad,
};

}  // namespace wt
