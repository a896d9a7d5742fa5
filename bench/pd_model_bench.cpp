// Issue 2: reference-model throughput on a 100,000-request PD workload, and its memory.
//
// Workload: 2 prefill + 2 decode instances (pd_decider = always), one Poisson client, prompts
// gaussian(256, 32) clamped to [128, 384], outputs gaussian(32.5, 18) clamped to [1, 64], BLIS-like
// blackbox coefficients. Near saturation: a prefill step of 8 prompts (8 · 256 = 2048 =
// max_num_batched_tokens) takes beta0 + 2048 · beta1 ≈ 6,910 + 36,188 µs ≈ 43 ms, so one prefill
// instance serves ≈ 186 req/s and the pool ≈ 372 req/s; the decode pool (≤ 256 sequences, ≈ 32
// steps of ≈ 7.6 ms each) serves far more. The arrival rate is 340 req/s, ≈ 91 % of the prefill
// capacity, so queues form but stay bounded.
//
// One repetition = simulate(config, seed, trace) on the materialised trace: events, aggregation,
// projection, statistics, the whole RunOutput, and its destruction. Time is CPU time of this
// process (the machines are noisy); the median over repetitions is printed. Memory is the peak of
// live heap bytes during one further, untimed simulate() (operator new/delete are counted by this
// executable only for that run), so the numbers are exact and deterministic; linear growth shows
// as a constant bytes-per-request across sizes.
//
//   build/pd_model_bench                        # 25k, 50k, 100k requests, 5 repetitions each
//   build/pd_model_bench --requests 100000 --repetitions 9
#include <algorithm>
#include <atomic>
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <new>
#include <string>
#include <vector>

#include "model/simulate.h"

namespace {

// Live-heap accounting, switched on only for the one repetition that measures memory, so that
// the timed repetitions do not pay for it (two atomic updates per allocation are a few percent of
// a run). Relaxed atomics: the bench is single-threaded, and the counters only need to be exact.
// Every block carries a header with its size and whether it was counted, so a block allocated
// in one mode and freed in the other is accounted correctly.
std::atomic<long long> g_live{0};
std::atomic<long long> g_peak{0};
std::atomic<bool> g_counting{false};

struct Header {
  std::size_t size;
  bool counted;
};
constexpr std::size_t kHeader = alignof(std::max_align_t);
static_assert(sizeof(Header) <= kHeader);

void* counted_alloc(std::size_t n) {
  void* p = std::malloc(n + kHeader);
  if (p == nullptr) throw std::bad_alloc();
  const Header h{n, g_counting.load(std::memory_order_relaxed)};
  std::memcpy(p, &h, sizeof h);
  if (h.counted) {
    const long long live = g_live.fetch_add(static_cast<long long>(n)) + static_cast<long long>(n);
    long long peak = g_peak.load();
    while (live > peak && !g_peak.compare_exchange_weak(peak, live)) {
    }
  }
  return static_cast<char*>(p) + kHeader;
}

void counted_free(void* q) noexcept {
  if (q == nullptr) return;
  void* p = static_cast<char*>(q) - kHeader;
  Header h{};
  std::memcpy(&h, p, sizeof h);
  if (h.counted) g_live.fetch_sub(static_cast<long long>(h.size));
  std::free(p);
}

}  // namespace

void* operator new(std::size_t n) { return counted_alloc(n); }
void* operator new[](std::size_t n) { return counted_alloc(n); }
void operator delete(void* p) noexcept { counted_free(p); }
void operator delete[](void* p) noexcept { counted_free(p); }
void operator delete(void* p, std::size_t) noexcept { counted_free(p); }
void operator delete[](void* p, std::size_t) noexcept { counted_free(p); }

namespace {

using namespace simcheck;

model::Case pd_workload(int64_t requests) {
  model::Case c;
  c.seed = 7;
  model::Config& k = c.config;
  k.num_instances = 4;
  k.prefill_instances = 2;
  k.decode_instances = 2;
  k.pd_decider = model::PdDecider::always;
  k.total_kv_blocks = 1'000'000;
  k.block_size_tokens = 16;
  k.max_num_seqs = 256;
  k.max_num_batched_tokens = 2048;
  k.alpha = {1601.35, 3.51, 1805.54};
  k.beta = {6910.42, 17.67, 2.84};
  k.kv_bytes_per_token = 524288;  // 2 · 32 layers · 4096 · 2 bytes (a 7B model in fp16)
  k.pd_transfer_bandwidth_gbps = 25.0;
  k.pd_transfer_base_latency_ms = 0.05;
  model::Workload w;
  w.aggregate_rate = 340;
  w.max_requests = requests;
  model::Client cl;
  cl.arrival = model::ArrivalProcess::poisson;
  cl.input_dist = {model::LengthKind::gaussian, 0, 256, 32, 128, 384};
  cl.output_dist = {model::LengthKind::gaussian, 0, 32.5, 18, 1, 64};
  w.clients.push_back(cl);
  c.workload = w;
  return c;
}

double cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

struct Measurement {
  double median_seconds = 0;
  long long peak_bytes = 0;
  int64_t completed = 0;
  int64_t end_time_us = 0;
};

Measurement measure(int64_t requests, int repetitions) {
  const model::Case c = pd_workload(requests);
  const model::Trace trace = model::materialise(c);
  Measurement m;
  std::vector<double> seconds;
  for (int i = 0; i < repetitions; ++i) {
    const double t0 = cpu_seconds();
    {
      const model::RunOutput out = model::simulate(c.config, c.seed, trace);
      m.completed = out.aggregate.counters.completed;
      m.end_time_us = out.aggregate.counters.sim_ended.value_or(0);
    }  // destruction is part of the cost
    seconds.push_back(cpu_seconds() - t0);
  }
  m.median_seconds = median(seconds);
  // Memory: one more run with the accounting on (untimed). Live bytes start at 0: everything
  // allocated before (the trace) is uncounted.
  g_live.store(0);
  g_peak.store(0);
  g_counting.store(true);
  { const model::RunOutput out = model::simulate(c.config, c.seed, trace); }
  g_counting.store(false);
  m.peak_bytes = g_peak.load();
  return m;
}

int usage() {
  std::fprintf(stderr,
               "usage: pd_model_bench [--requests N] [--repetitions R]\n"
               "  Simulates a PD workload (2 prefill + 2 decode, Poisson near saturation) and\n"
               "  prints simulated requests per CPU second (median of R) and peak heap bytes.\n"
               "  Without --requests: 25000, 50000 and 100000 requests.\n");
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<int64_t> sizes{25'000, 50'000, 100'000};
  int repetitions = 5;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if ((a == "--requests" || a == "--repetitions") && i + 1 < argc) {
      char* end = nullptr;
      const long long v = std::strtoll(argv[++i], &end, 10);
      if (*end != '\0' || v < 1 || v > 10'000'000) return usage();
      if (a == "--requests") {
        sizes = {v};
      } else {
        repetitions = static_cast<int>(v);
      }
    } else {
      return usage();
    }
  }
  std::printf("%10s %12s %14s %16s %14s %12s %14s\n", "requests", "median_cpu_s", "requests/s",
              "peak_heap_bytes", "bytes/request", "completed", "sim_end_us");
  for (const int64_t n : sizes) {
    const Measurement m = measure(n, repetitions);
    std::printf("%10lld %12.4f %14.0f %16lld %14.0f %12lld %14lld\n", static_cast<long long>(n),
                m.median_seconds, static_cast<double>(n) / m.median_seconds, m.peak_bytes,
                static_cast<double>(m.peak_bytes) / static_cast<double>(n),
                static_cast<long long>(m.completed), static_cast<long long>(m.end_time_us));
    std::fflush(stdout);
  }
  return 0;
}
