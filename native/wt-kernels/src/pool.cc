// A small persistent thread pool: workers spin briefly for the next job, then sleep on a
// condition variable. Tasks are handed out by an atomic counter, so a descheduled worker does
// not hold up the others (tasks write disjoint outputs; results do not depend on who ran them).
//
// A job is "open" while its generation number is odd. A worker announces itself in `active`
// before it re-checks that the job is still open and reads it; the caller closes the job and
// waits for `active` to drain before its stack frame (the job) goes away.
#include <atomic>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <new>
#include <thread>
#include <vector>

#include "kernels.h"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
static inline void cpu_relax() { _mm_pause(); }
#elif defined(__aarch64__)
static inline void cpu_relax() { asm volatile("yield"); }
#else
static inline void cpu_relax() {}
#endif

namespace wt {
namespace {

struct Job {
  void (*fn)(void*, int64_t);
  void* ctx;
  int64_t total;
  std::atomic<int64_t> next{0};
  std::atomic<int64_t> done{0};
};

class Pool {
 public:
  ~Pool() { stop_workers(); }

  int threads() const { return threads_; }

  void set_threads(int n) {
    if (n < 1) n = 1;
    std::lock_guard<std::mutex> call(call_mutex_);
    if (n == threads_) return;
    stop_workers();
    threads_ = n;
    started_ = false;
  }

  void run(int64_t n, void (*fn)(void*, int64_t), void* ctx) {
    std::unique_lock<std::mutex> call(call_mutex_, std::try_to_lock);
    if (!call.owns_lock() || threads_ == 1) {  // nested or concurrent use, or one thread: run inline
      for (int64_t i = 0; i < n; i++) fn(ctx, i);
      return;
    }
    if (!started_) start_workers();
    Job job;
    job.fn = fn;
    job.ctx = ctx;
    job.total = n;
    job_ = &job;
    const uint64_t open = generation_.load(std::memory_order_relaxed) + 1;  // odd
    generation_.store(open, std::memory_order_seq_cst);
    if (sleepers_.load(std::memory_order_seq_cst) > 0) {
      { std::lock_guard<std::mutex> lk(sleep_mutex_); }
      sleep_cv_.notify_all();
    }
    work(job);
    while (job.done.load(std::memory_order_acquire) < n) cpu_relax();
    generation_.store(open + 1, std::memory_order_seq_cst);  // closed
    while (active_.load(std::memory_order_seq_cst) > 0) cpu_relax();
    job_ = nullptr;
  }

 private:
  static void work(Job& job) {
    for (;;) {
      const int64_t i = job.next.fetch_add(1, std::memory_order_relaxed);
      if (i >= job.total) return;
      job.fn(job.ctx, i);
      job.done.fetch_add(1, std::memory_order_acq_rel);
    }
  }

  void worker() {
    uint64_t seen = generation_.load(std::memory_order_acquire);
    for (;;) {
      uint64_t g = generation_.load(std::memory_order_acquire);
      if (g == seen || !(g & 1)) {
        int spins = 0;
        while ((g = generation_.load(std::memory_order_acquire)) == seen || !(g & 1)) {
          if (stop_.load(std::memory_order_relaxed)) return;
          if (++spins < spin_limit_) {
            cpu_relax();
            continue;
          }
          std::unique_lock<std::mutex> lk(sleep_mutex_);
          sleepers_.fetch_add(1, std::memory_order_seq_cst);
          sleep_cv_.wait(lk, [&] {
            const uint64_t h = generation_.load(std::memory_order_seq_cst);
            return stop_.load(std::memory_order_relaxed) || (h != seen && (h & 1));
          });
          sleepers_.fetch_sub(1, std::memory_order_seq_cst);
          spins = 0;
        }
      }
      seen = g;
      active_.fetch_add(1, std::memory_order_seq_cst);
      if (generation_.load(std::memory_order_seq_cst) == g) work(*job_);
      active_.fetch_sub(1, std::memory_order_seq_cst);
    }
  }

  void start_workers() {
    const char* s = std::getenv("WT_SPIN");
    spin_limit_ = s ? std::atoi(s) : 4000;
    stop_.store(false);
    for (int i = 1; i < threads_; i++) workers_.emplace_back([this] { worker(); });
    started_ = true;
  }

  void stop_workers() {
    if (workers_.empty()) return;
    {
      std::lock_guard<std::mutex> lk(sleep_mutex_);
      stop_.store(true);
    }
    sleep_cv_.notify_all();
    for (auto& t : workers_) t.join();
    workers_.clear();
  }

  int threads_ = 1;
  bool started_ = false;
  int spin_limit_ = 4000;
  std::vector<std::thread> workers_;
  std::mutex call_mutex_;
  std::atomic<uint64_t> generation_{0};
  std::atomic<int> active_{0};
  std::atomic<int> sleepers_{0};
  std::atomic<bool> stop_{false};
  std::mutex sleep_mutex_;
  std::condition_variable sleep_cv_;
  Job* job_ = nullptr;
};

Pool& pool() {
  static Pool* p = new Pool();  // never destroyed: workers may outlive static destruction order
  return *p;
}

struct Scratch {
  float* p[4] = {nullptr, nullptr, nullptr, nullptr};
  size_t cap[4] = {0, 0, 0, 0};
  ~Scratch() {
    for (auto* q : p) std::free(q);
  }
};

thread_local Scratch tls_scratch;

}  // namespace

void parallel_for_raw(int64_t n, void (*fn)(void*, int64_t), void* ctx) { pool().run(n, fn, ctx); }
int pool_threads() { return pool().threads(); }
void pool_set_threads(int n) { pool().set_threads(n); }

float* thread_scratch(int slot, size_t floats) {
  Scratch& s = tls_scratch;
  if (floats < 16) floats = 16;
  if (s.cap[slot] < floats) {
    std::free(s.p[slot]);
    size_t bytes = ((floats * sizeof(float) + 4095) / 4096) * 4096;
    s.p[slot] = static_cast<float*>(std::aligned_alloc(64, bytes));
    if (!s.p[slot]) {
      std::fprintf(stderr, "wt-kernels: out of memory (%zu bytes of scratch)\n", bytes);
      std::abort();
    }
    s.cap[slot] = bytes / sizeof(float);
  }
  return s.p[slot];
}

}  // namespace wt
