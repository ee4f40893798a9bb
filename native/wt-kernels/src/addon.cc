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

bool get_args(napi_env env, napi_callback_info info, Heap* heap, const double** a, size_t* count) {
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
  *a = static_cast<const double*>(adata);
  *count = length;
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

bool need(napi_env env, size_t have, size_t want) {
  if (have >= want) return true;
  napi_throw_type_error(env, nullptr, "wt-kernels: too few arguments");
  return false;
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

// conv2d: [x, w, y, bias(-1), biasSize, act, n,h,w,c, kh,kw,co, oh,ow, sh,sw, pt,pl]
napi_value Conv2D(napi_env env, napi_callback_info info) {
  Heap h;
  const double* a;
  size_t n;
  if (!get_args(env, info, &h, &a, &n) || !need(env, n, 19)) return nullptr;
  ConvArgs c{};
  c.n = I(a[6]), c.h = I(a[7]), c.w_ = I(a[8]), c.c = I(a[9]), c.kh = I(a[10]), c.kw = I(a[11]), c.co = I(a[12]);
  c.oh = I(a[13]), c.ow = I(a[14]), c.sh = I(a[15]), c.sw = I(a[16]), c.pt = I(a[17]), c.pl = I(a[18]);
  if (!positive(env, {c.n, c.h, c.w_, c.c, c.kh, c.kw, c.co, c.oh, c.ow, c.pt + (1 << 20), c.pl + (1 << 20)})) return nullptr;
  if (c.sh < 1 || c.sw < 1 || c.kh < 1 || c.kw < 1) return napi_throw_range_error(env, nullptr, "wt-kernels: conv2d strides/filter"), nullptr;
  const double xs = double(c.n) * c.h * c.w_ * c.c, ws = double(c.kh) * c.kw * c.c * c.co, ys = double(c.n) * c.oh * c.ow * c.co;
  c.x = at(env, h, a[0], xs, "x");
  if (!c.x) return nullptr;
  c.w = at(env, h, a[1], ws, "filter");
  if (!c.w) return nullptr;
  c.y = at(env, h, a[2], ys, "output");
  if (!c.y) return nullptr;
  if (a[3] >= 0) {
    c.ep.bias_size = I(a[4]);
    if (c.ep.bias_size != 1 && c.ep.bias_size != c.co) return napi_throw_range_error(env, nullptr, "wt-kernels: bias size"), nullptr;
    c.ep.bias = at(env, h, a[3], double(c.ep.bias_size), "bias");
    if (!c.ep.bias) return nullptr;
  }
  c.ep.act = I(a[5]);
  g_kernels->conv2d(c);
  return nullptr;
}

bool conv_grad_args(napi_env env, napi_callback_info info, ConvGradArgs* c, bool filter) {
  Heap h;
  const double* a;
  size_t n;
  if (!get_args(env, info, &h, &a, &n) || !need(env, n, 16)) return false;
  c->n = I(a[3]), c->h = I(a[4]), c->w_ = I(a[5]), c->c = I(a[6]), c->kh = I(a[7]), c->kw = I(a[8]), c->co = I(a[9]);
  c->oh = I(a[10]), c->ow = I(a[11]), c->sh = I(a[12]), c->sw = I(a[13]), c->pt = I(a[14]), c->pl = I(a[15]);
  if (!positive(env, {c->n, c->h, c->w_, c->c, c->kh, c->kw, c->co, c->oh, c->ow, c->pt + (1 << 20), c->pl + (1 << 20)})) return false;
  if (c->sh < 1 || c->sw < 1 || c->kh < 1 || c->kw < 1) return napi_throw_range_error(env, nullptr, "wt-kernels: strides/filter"), false;
  const double xs = double(c->n) * c->h * c->w_ * c->c, ws = double(c->kh) * c->kw * c->c * c->co, ys = double(c->n) * c->oh * c->ow * c->co;
  if (filter) {
    c->x = at(env, h, a[0], xs, "x");
    c->dy = at(env, h, a[1], ys, "dy");
    c->out = at(env, h, a[2], ws, "filter gradient");
    return c->x && c->dy && c->out;
  }
  c->dy = at(env, h, a[0], ys, "dy");
  c->w = at(env, h, a[1], ws, "filter");
  c->out = at(env, h, a[2], xs, "input gradient");
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
  size_t n;
  if (!get_args(env, info, &h, &a, &n) || !need(env, n, 13)) return nullptr;
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
  if (!m.y) return nullptr;
  if (a[3] >= 0) {
    m.ep.bias_size = I(a[4]);
    if (m.ep.bias_size != 1 && m.ep.bias_size != m.n) return napi_throw_range_error(env, nullptr, "wt-kernels: bias size"), nullptr;
    m.ep.bias = at(env, h, a[3], double(m.ep.bias_size), "bias");
    if (!m.ep.bias) return nullptr;
  }
  m.ep.act = I(a[5]);
  g_kernels->matmul(m);
  return nullptr;
}

// binary: [op, a, na, b, nb, y, n]
napi_value Binary(napi_env env, napi_callback_info info) {
  Heap h;
  const double* a;
  size_t n;
  if (!get_args(env, info, &h, &a, &n) || !need(env, n, 7)) return nullptr;
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
  size_t n;
  if (!get_args(env, info, &h, &a, &n) || !need(env, n, 5)) return nullptr;
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
  size_t n;
  if (!get_args(env, info, &h, &a, &n) || !need(env, n, 5)) return nullptr;
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
  };
  if (napi_define_properties(env, exports, sizeof props / sizeof props[0], props) != napi_ok) return nullptr;
  return exports;
}

}  // namespace
}  // namespace wt

NAPI_MODULE(NODE_GYP_MODULE_NAME, wt::Init)
