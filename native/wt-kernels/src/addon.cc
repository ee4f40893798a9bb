// N-API entry points of wt-kernels. Every kernel takes the wasm heap (a Uint8Array over the
// tfjs wasm backend's memory, fetched anew by the caller for every call because the memory can
// grow) and a Float64Array of byte offsets into that heap and sizes; it computes in place,
// checking that every tensor it touches lies inside the heap.
#include <node_api.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "kernels.h"

namespace wt {
namespace {

const Kernels* g_kernels = &kernels_generic;

bool isa_supported(const std::string& name) {
  if (name == "generic") return true;
#if defined(WT_X86)
  __builtin_cpu_init();
  if (name == "avx2") return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  if (name == "avx512") return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
#endif
  return false;
}

const Kernels* kernels_for(const std::string& name) {
#if defined(WT_X86)
  if (name == "avx512") return &kernels_avx512;
  if (name == "avx2") return &kernels_avx2;
#endif
  if (name == "generic") return &kernels_generic;
  return nullptr;
}

const char* best_isa() {
  if (isa_supported("avx512")) return "avx512";
  if (isa_supported("avx2")) return "avx2";
  return "generic";
}

struct Heap {
  uint8_t* data = nullptr;
  size_t size = 0;
};

#define CHECK(call)                                             \
  do {                                                          \
    if ((call) != napi_ok) {                                    \
      napi_throw_error(env, nullptr, "wt-kernels: " #call);     \
      return nullptr;                                           \
    }                                                           \
  } while (0)

/** the (heap, args) pair every kernel takes; false (with a thrown error) if malformed or shorter than `want` */
bool get_args(napi_env env, napi_callback_info info, size_t want, Heap* heap, const double** a) {
  size_t argc = 2;
  napi_value argv[2];
  if (napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr) != napi_ok || argc < 2) {
    napi_throw_type_error(env, nullptr, "wt-kernels: expected (heap: Uint8Array, args: Float64Array)");
    return false;
  }
  napi_typedarray_type type;
  size_t length;
  void* data;
  napi_value ab;
  size_t offset;
  if (napi_get_typedarray_info(env, argv[0], &type, &length, &data, &ab, &offset) != napi_ok || type != napi_uint8_array) {
    napi_throw_type_error(env, nullptr, "wt-kernels: heap must be a Uint8Array");
    return false;
  }
  heap->data = static_cast<uint8_t*>(data);
  heap->size = length;
  void* adata;
  if (napi_get_typedarray_info(env, argv[1], &type, &length, &adata, &ab, &offset) != napi_ok || type != napi_float64_array) {
    napi_throw_type_error(env, nullptr, "wt-kernels: args must be a Float64Array");
    return false;
  }
  if (length < want) {
    napi_throw_type_error(env, nullptr, "wt-kernels: too few arguments");
    return false;
  }
  *a = static_cast<const double*>(adata);
  return true;
}

/** pointer to `floats` floats at byte offset `off` of the heap, or null (and a thrown error) if out of range */
float* at(napi_env env, const Heap& h, double off, double floats, const char* what) {
  if (!(off >= 0) || !(floats >= 0) || off + floats * 4 > static_cast<double>(h.size) || static_cast<int64_t>(off) % 4 != 0) {
    char msg[160];
    std::snprintf(msg, sizeof msg, "wt-kernels: %s (offset %.0f, %.0f floats) is outside the heap of %zu bytes", what, off, floats, h.size);
    napi_throw_range_error(env, nullptr, msg);
    return nullptr;
  }
  return reinterpret_cast<float*>(h.data + static_cast<int64_t>(off));
}

bool positive(napi_env env, std::initializer_list<int64_t> v) {
  for (int64_t x : v)
    if (x < 0 || x > (int64_t{1} << 31)) {
      napi_throw_range_error(env, nullptr, "wt-kernels: negative or huge size");
      return false;
    }
  return true;
}

int64_t I(double d) { return static_cast<int64_t>(d); }

/** reads the 13 geometry numbers [n,h,w,c, kh,kw,co, oh,ow, sh,sw, pt,pl] and checks them */
bool read_conv_shape(napi_env env, const double* g, ConvShape* c) {
  c->n = I(g[0]), c->h = I(g[1]), c->w_ = I(g[2]), c->c = I(g[3]), c->kh = I(g[4]), c->kw = I(g[5]), c->co = I(g[6]);
  c->oh = I(g[7]), c->ow = I(g[8]), c->sh = I(g[9]), c->sw = I(g[10]), c->pt = I(g[11]), c->pl = I(g[12]);
  if (!positive(env, {c->n, c->h, c->w_, c->c, c->kh, c->kw, c->co, c->oh, c->ow, c->pt + (1 << 20), c->pl + (1 << 20)})) return false;
  if (c->sh < 1 || c->sw < 1 || c->kh < 1 || c->kw < 1) return napi_throw_range_error(env, nullptr, "wt-kernels: conv strides/filter"), false;
  return true;
}

double input_floats(const ConvShape& c) { return double(c.n) * c.h * c.w_ * c.c; }
double filter_floats(const ConvShape& c) { return double(c.kh) * c.kw * c.c * c.co; }
double output_floats(const ConvShape& c) { return double(c.n) * c.oh * c.ow * c.co; }

/** reads [bias offset (-1: none), bias size, activation]; the bias is 1 or `channels` floats */
bool read_epilogue(napi_env env, const Heap& h, const double* e, int64_t channels, Epilogue* ep) {
  if (e[0] >= 0) {
    ep->bias_size = I(e[1]);
    if (ep->bias_size != 1 && ep->bias_size != channels) return napi_throw_range_error(env, nullptr, "wt-kernels: bias size"), false;
    ep->bias = at(env, h, e[0], double(ep->bias_size), "bias");
    if (!ep->bias) return false;
  }
  ep->act = I(e[2]);
  return true;
}

// conv2d: [x, w, y, bias(-1), biasSize, act, n,h,w,c, kh,kw,co, oh,ow, sh,sw, pt,pl]
napi_value Conv2D(napi_env env, napi_callback_info info) {
  Heap h;
  const double* a;
  ConvArgs c{};
  if (!get_args(env, info, 19, &h, &a) || !read_conv_shape(env, a + 6, &c)) return nullptr;
  c.x = at(env, h, a[0], input_floats(c), "x");
  if (!c.x) return nullptr;
  c.w = at(env, h, a[1], filter_floats(c), "filter");
  if (!c.w) return nullptr;
  c.y = at(env, h, a[2], output_floats(c), "output");
  if (!c.y || !read_epilogue(env, h, a + 3, c.co, &c.ep)) return nullptr;
  g_kernels->conv2d(c);
  return nullptr;
}

bool conv_grad_args(napi_env env, napi_callback_info info, ConvGradArgs* c, bool filter) {
  Heap h;
  const double* a;
  if (!get_args(env, info, 16, &h, &a) || !read_conv_shape(env, a + 3, c)) return false;
  if (filter) {
    c->x = at(env, h, a[0], input_floats(*c), "x");
    c->dy = at(env, h, a[1], output_floats(*c), "dy");
    c->out = at(env, h, a[2], filter_floats(*c), "filter gradient");
    return c->x && c->dy && c->out;
  }
  c->dy = at(env, h, a[0], output_floats(*c), "dy");
  c->w = at(env, h, a[1], filter_floats(*c), "filter");
  c->out = at(env, h, a[2], input_floats(*c), "input gradient");
  return c->dy && c->w && c->out;
}

// backpropInput: [dy, w, dx, n,h,w,c, kh,kw,co, oh,ow, sh,sw, pt,pl]
napi_value BackpropInput(napi_env env, napi_callback_info info) {
  ConvGradArgs c{};
  if (!conv_grad_args(env, info, &c, false)) return nullptr;
  g_kernels->backprop_input(c);
  return nullptr;
}

// backpropFilter: [x, dy, dw, n,h,w,c, kh,kw,co, oh,ow, sh,sw, pt,pl]
napi_value BackpropFilter(napi_env env, napi_callback_info info) {
  ConvGradArgs c{};
  if (!conv_grad_args(env, info, &c, true)) return nullptr;
  g_kernels->backprop_filter(c);
  return nullptr;
}

// matmul: [a, b, y, bias(-1), biasSize, act, batchA, batchB, m, k, n, transposeA, transposeB]
napi_value MatMul(napi_env env, napi_callback_info info) {
  Heap h;
  const double* a;
  if (!get_args(env, info, 13, &h, &a)) return nullptr;
  MatMulArgs m{};
  m.batch_a = I(a[6]), m.batch_b = I(a[7]), m.m = I(a[8]), m.k = I(a[9]), m.n = I(a[10]);
  m.ta = a[11] != 0, m.tb = a[12] != 0;
  if (!positive(env, {m.batch_a, m.batch_b, m.m, m.k, m.n})) return nullptr;
  if (m.batch_a != m.batch_b && m.batch_a != 1 && m.batch_b != 1) return napi_throw_range_error(env, nullptr, "wt-kernels: batch"), nullptr;
  const double batch = double(std::max(m.batch_a, m.batch_b));
  m.a = at(env, h, a[0], double(m.batch_a) * m.m * m.k, "a");
  if (!m.a) return nullptr;
  m.b = at(env, h, a[1], double(m.batch_b) * m.k * m.n, "b");
  if (!m.b) return nullptr;
  m.y = at(env, h, a[2], batch * m.m * m.n, "output");
  if (!m.y || !read_epilogue(env, h, a + 3, m.n, &m.ep)) return nullptr;
  g_kernels->matmul(m);
  return nullptr;
}

// binary: [op, a, na, b, nb, y, n]
napi_value Binary(napi_env env, napi_callback_info info) {
  Heap h;
  const double* a;
  if (!get_args(env, info, 7, &h, &a)) return nullptr;
  BinaryArgs b{};
  b.op = I(a[0]), b.na = I(a[2]), b.nb = I(a[4]), b.n = I(a[6]);
  if ((b.na != b.n && b.na != 1) || (b.nb != b.n && b.nb != 1) || b.n < 0 || b.op < 0 || b.op > 2)
    return napi_throw_range_error(env, nullptr, "wt-kernels: binary shapes"), nullptr;
  b.a = at(env, h, a[1], double(b.na), "a");
  if (!b.a) return nullptr;
  b.b = at(env, h, a[3], double(b.nb), "b");
  if (!b.b) return nullptr;
  b.y = at(env, h, a[5], double(b.n), "output");
  if (!b.y) return nullptr;
  g_kernels->binary(b);
  return nullptr;
}

// unary: [op, x, y, n, alpha]
napi_value Unary(napi_env env, napi_callback_info info) {
  Heap h;
  const double* a;
  if (!get_args(env, info, 5, &h, &a)) return nullptr;
  UnaryArgs u{};
  u.op = I(a[0]), u.n = I(a[3]), u.alpha = static_cast<float>(a[4]);
  if (u.n < 0 || u.op < 0 || u.op > 1) return napi_throw_range_error(env, nullptr, "wt-kernels: unary"), nullptr;
  u.x = at(env, h, a[1], double(u.n), "x");
  if (!u.x) return nullptr;
  u.y = at(env, h, a[2], double(u.n), "output");
  if (!u.y) return nullptr;
  g_kernels->unary(u);
  return nullptr;
}

// sum: [x, y, outer, reduce, inner]
napi_value Sum(napi_env env, napi_callback_info info) {
  Heap h;
  const double* a;
  if (!get_args(env, info, 5, &h, &a)) return nullptr;
  SumArgs s{};
  s.outer = I(a[2]), s.reduce = I(a[3]), s.inner = I(a[4]);
  if (s.outer < 0 || s.reduce < 0 || s.inner < 0) return napi_throw_range_error(env, nullptr, "wt-kernels: sum"), nullptr;
  s.x = at(env, h, a[0], double(s.outer) * s.reduce * s.inner, "x");
  if (!s.x) return nullptr;
  s.y = at(env, h, a[1], double(s.outer) * s.inner, "output");
  if (!s.y) return nullptr;
  g_kernels->sum(s);
  return nullptr;
}

// residualTail: [r, scale, bias, shortcut, y, n]
napi_value ResidualTail(napi_env env, napi_callback_info info) {
  Heap h;
  const double* a;
  if (!get_args(env, info, 6, &h, &a)) return nullptr;
  ResidualTailArgs t{};
  t.n = I(a[5]);
  if (t.n < 0) return napi_throw_range_error(env, nullptr, "wt-kernels: residualTail"), nullptr;
  if (!(t.r = at(env, h, a[0], double(t.n), "r")) || !(t.scale = at(env, h, a[1], 1, "scale")) || !(t.bias = at(env, h, a[2], 1, "bias")) ||
      !(t.shortcut = at(env, h, a[3], double(t.n), "shortcut")) || !(t.y = at(env, h, a[4], double(t.n), "output")))
    return nullptr;
  g_kernels->residual_tail(t);
  return nullptr;
}

// reluGrad: [dy, y, r (-1: none), scale (-1: none), g, dr (-1: none), sumG, sumGR (-1: none), n]; r, scale and dr go together
napi_value ReluGrad(napi_env env, napi_callback_info info) {
  Heap h;
  const double* a;
  if (!get_args(env, info, 9, &h, &a)) return nullptr;
  ReluGradArgs g{};
  g.n = I(a[8]);
  const bool with_r = a[2] >= 0;
  if (g.n < 0 || with_r != (a[3] >= 0) || with_r != (a[5] >= 0) || with_r != (a[7] >= 0))
    return napi_throw_range_error(env, nullptr, "wt-kernels: reluGrad takes r, scale, dr and sumGR all or none"), nullptr;
  const double n = double(g.n);
  if (!(g.dy = at(env, h, a[0], n, "dy")) || !(g.y = at(env, h, a[1], n, "y")) || !(g.g = at(env, h, a[4], n, "g")) ||
      !(g.sum_g = at(env, h, a[6], 1, "sumG")))
    return nullptr;
  if (with_r && (!(g.r = at(env, h, a[2], n, "r")) || !(g.scale = at(env, h, a[3], 1, "scale")) || !(g.dr = at(env, h, a[5], n, "dr")) ||
                 !(g.sum_gr = at(env, h, a[7], 1, "sumGR"))))
    return nullptr;
  g_kernels->relu_grad(g);
  return nullptr;
}

/** the float32 data of element i of a JS array of Float32Arrays, or null (and a thrown error) */
float* float_array_at(napi_env env, napi_value list, uint32_t i, size_t* length) {
  napi_value v;
  napi_typedarray_type type;
  void* data;
  napi_value ab;
  size_t offset;
  if (napi_get_element(env, list, i, &v) != napi_ok || napi_get_typedarray_info(env, v, &type, length, &data, &ab, &offset) != napi_ok ||
      type != napi_float32_array) {
    napi_throw_type_error(env, nullptr, "wt-kernels: sgd takes arrays of Float32Array");
    return nullptr;
  }
  return static_cast<float*>(data);
}

// sgd(params: Float32Array[], buffers: Float32Array[], grads: Float32Array[], hyper: Float64Array [momentum, weightDecay, rate per param…])
// PyTorch's SGD, in double precision and in the order ml/optimizer.ts computes it, so the bytes
// are those of its JavaScript loop:  b = momentum·buf + g + wd·p;  buf = b;  p = p − rate·buf
napi_value Sgd(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  CHECK(napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr));
  uint32_t count = 0, n2 = 0, n3 = 0;
  if (argc < 4 || napi_get_array_length(env, argv[0], &count) != napi_ok || napi_get_array_length(env, argv[1], &n2) != napi_ok ||
      napi_get_array_length(env, argv[2], &n3) != napi_ok || n2 != count || n3 != count)
    return napi_throw_type_error(env, nullptr, "wt-kernels: sgd(params[], buffers[], grads[], hyper) with arrays of one length"), nullptr;
  napi_typedarray_type type;
  size_t hyper_len;
  void* hyper_data;
  napi_value ab;
  size_t offset;
  if (napi_get_typedarray_info(env, argv[3], &type, &hyper_len, &hyper_data, &ab, &offset) != napi_ok || type != napi_float64_array ||
      hyper_len != size_t(count) + 2)
    return napi_throw_type_error(env, nullptr, "wt-kernels: sgd hyper must be a Float64Array [momentum, weightDecay, one rate per param]"), nullptr;
  const double* hyper = static_cast<const double*>(hyper_data);
  const double momentum = hyper[0], wd = hyper[1];
  for (uint32_t i = 0; i < count; i++) {
    size_t np, nb, ng;
    float* p = float_array_at(env, argv[0], i, &np);
    float* buf = p ? float_array_at(env, argv[1], i, &nb) : nullptr;
    const float* g = buf ? float_array_at(env, argv[2], i, &ng) : nullptr;
    if (!g) return nullptr;
    if (nb != np || ng != np) return napi_throw_range_error(env, nullptr, "wt-kernels: sgd parameter, buffer and gradient lengths differ"), nullptr;
    const double rate = hyper[2 + i];
    for (size_t j = 0; j < np; j++) {
      const double b = momentum * double(buf[j]) + double(g[j]) + wd * double(p[j]);
      buf[j] = static_cast<float>(b);
      p[j] = static_cast<float>(double(p[j]) - rate * double(buf[j]));
    }
  }
  return nullptr;
}

napi_value Info(napi_env env, napi_callback_info) {
  napi_value obj, v, arr;
  CHECK(napi_create_object(env, &obj));
  CHECK(napi_create_string_utf8(env, g_kernels->isa, NAPI_AUTO_LENGTH, &v));
  CHECK(napi_set_named_property(env, obj, "isa", v));
  CHECK(napi_create_string_utf8(env, best_isa(), NAPI_AUTO_LENGTH, &v));
  CHECK(napi_set_named_property(env, obj, "bestIsa", v));
  CHECK(napi_create_array(env, &arr));
  uint32_t i = 0;
  for (const char* name : {"avx512", "avx2", "generic"})
    if (kernels_for(name) && isa_supported(name)) {
      CHECK(napi_create_string_utf8(env, name, NAPI_AUTO_LENGTH, &v));
      CHECK(napi_set_element(env, arr, i++, v));
    }
  CHECK(napi_set_named_property(env, obj, "isas", arr));
  CHECK(napi_create_int32(env, pool_threads(), &v));
  CHECK(napi_set_named_property(env, obj, "threads", v));
  return obj;
}

// configure(isa: string | undefined, threads: number | undefined)
napi_value Configure(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  CHECK(napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr));
  napi_valuetype t;
  if (argc >= 1) {
    CHECK(napi_typeof(env, argv[0], &t));
    if (t == napi_string) {
      char buf[32];
      size_t len;
      CHECK(napi_get_value_string_utf8(env, argv[0], buf, sizeof buf, &len));
      const std::string name(buf, len);
      const Kernels* k = kernels_for(name);
      if (!k || !isa_supported(name)) {
        napi_throw_error(env, nullptr, ("wt-kernels: instruction set '" + name + "' is not supported on this CPU or not built").c_str());
        return nullptr;
      }
      g_kernels = k;
    }
  }
  if (argc >= 2) {
    CHECK(napi_typeof(env, argv[1], &t));
    if (t == napi_number) {
      int32_t n;
      CHECK(napi_get_value_int32(env, argv[1], &n));
      if (n < 1 || n > 256) return napi_throw_range_error(env, nullptr, "wt-kernels: threads must be 1..256"), nullptr;
      pool_set_threads(n);
    }
  }
  return Info(env, info);
}

napi_value Init(napi_env env, napi_value exports) {
  g_kernels = kernels_for(best_isa());
  const napi_property_descriptor props[] = {
      {"info", nullptr, Info, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"configure", nullptr, Configure, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"conv2d", nullptr, Conv2D, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"backpropInput", nullptr, BackpropInput, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"backpropFilter", nullptr, BackpropFilter, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"matmul", nullptr, MatMul, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"binary", nullptr, Binary, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"unary", nullptr, Unary, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"sum", nullptr, Sum, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"residualTail", nullptr, ResidualTail, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"reluGrad", nullptr, ReluGrad, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"sgd", nullptr, Sgd, nullptr, nullptr, nullptr, napi_default, nullptr},
  };
  if (napi_define_properties(env, exports, sizeof props / sizeof props[0], props) != napi_ok) return nullptr;
  return exports;
}

}  // namespace
}  // namespace wt

NAPI_MODULE(NODE_GYP_MODULE_NAME, wt::Init)
