// Spec §12.2 (traces) and §12.3 (generator): a case's workload as an explicit, sorted trace.
#include <algorithm>
#include <cmath>
#include <limits>
#include <map>

#include "model/arith.h"
#include "model/case_limits.h"
#include "model/rng.h"
#include "model/simulate.h"

namespace simcheck::model {
namespace {

// round_half_away (§0) of a value the validation has bounded.
int64_t round_half_away(double x) { return static_cast<int64_t>(std::round(x)); }

int64_t saturating_add(int64_t a, int64_t b) {  // a, b >= 0
  return a > std::numeric_limits<int64_t>::max() - b ? std::numeric_limits<int64_t>::max() : a + b;
}

std::vector<Token> random_tokens(Rng& rng, int64_t count) {
  std::vector<Token> out(static_cast<size_t>(count));
  for (auto& t : out) t = static_cast<Token>(rng.uniform(limits::kRandomTokenRange));
  return out;
}

// Prefix-group traces (§12.2) need tokens that equal no other token of the trace: consecutive
// ids starting above every random draw (< 128000) and every explicit token id of the trace.
// Validation guarantees the counter stays <= INT32_MAX.
class DistinctTokens {
 public:
  explicit DistinctTokens(int64_t first) : next_(first) {}
  void append(std::vector<Token>& to, int64_t count) {
    for (int64_t k = 0; k < count; ++k) to.push_back(static_cast<Token>(next_++));
  }

 private:
  int64_t next_;
};

std::vector<Token> fill_tokens(TokenFill fill, const std::vector<Token>& list, int64_t len,
                               Rng& wg) {
  switch (fill) {
    case TokenFill::explicit_list:
      return list;
    case TokenFill::zeros:
      return std::vector<Token>(static_cast<size_t>(len), 0);
    case TokenFill::random:
      return random_tokens(wg, len);
  }
  return {};
}

Trace materialise_trace(const Case& c) {
  Rng wg = stream(c.seed, "workload-gen");
  int64_t max_explicit = -1;
  for (const auto& r : c.requests) {
    for (const auto* list : {&r.input, &r.output}) {
      for (Token t : *list) max_explicit = std::max<int64_t>(max_explicit, t);
    }
  }
  DistinctTokens distinct(std::max<int64_t>(limits::kRandomTokenRange, max_explicit + 1));
  std::map<std::string, std::vector<Token>> group_prefix;  // allocated at first appearance

  Trace trace;
  trace.reserve(c.requests.size());
  for (size_t i = 0; i < c.requests.size(); ++i) {
    const TraceRequest& tr = c.requests[i];
    Request r;
    r.id = tr.id.empty() ? "request_" + std::to_string(i) : tr.id;
    r.arrival = tr.arrival_us;
    if (tr.prefix_group.empty()) {
      // Random draws: requests in trace order, input before output (§12.2).
      r.input = fill_tokens(tr.input_fill, tr.input, tr.input_len, wg);
      r.output = fill_tokens(tr.output_fill, tr.output, tr.output_len, wg);
    } else {
      auto [it, inserted] = group_prefix.try_emplace(tr.prefix_group);
      if (inserted) distinct.append(it->second, tr.prefix_length);
      r.input = it->second;
      distinct.append(r.input, tr.input_len - tr.prefix_length);
      distinct.append(r.output, tr.output_len);
    }
    r.max_output_len = tr.max_output_len.value_or(static_cast<int64_t>(r.output.size()));
    r.deadline = tr.deadline_us;
    trace.push_back(std::move(r));
  }
  return trace;
}

int64_t sample_length(const LengthDist& d, Rng& rng) {
  switch (d.kind) {
    case LengthKind::constant:
      return std::max<int64_t>(1, static_cast<int64_t>(d.value));
    case LengthKind::gaussian:
      if (d.min == d.max) return static_cast<int64_t>(d.min);  // no draw
      return std::max<int64_t>(
          1, round_half_away(std::min(d.max, std::max(d.min, rng.norm() * d.sd + d.mean))));
    case LengthKind::exponential: {
      int64_t k = round_half_away(rng.exp1() * d.mean);
      if (d.min > 0) k = std::max(k, static_cast<int64_t>(d.min));
      if (d.max > 0) k = std::min(k, static_cast<int64_t>(d.max));
      return std::max<int64_t>(1, k);
    }
  }
  return 1;
}

int64_t inter_arrival(const Client& c, double rate, Rng& rng) {
  if (c.arrival == ArrivalProcess::constant) {
    return std::max<int64_t>(1, trunc_to_int64(1.0 / rate));  // no draw
  }
  return std::max<int64_t>(1, trunc_to_int64(rng.exp1() / rate));
}

Trace materialise_workload(const Case& c) {
  const Workload& w = *c.workload;
  const int64_t horizon = c.config.horizon_us;
  Rng wg = stream(c.seed, "workload-gen");

  // Clients naming the same group share one prefix; its length comes from the first client (in
  // list order) naming the group, else 50.
  std::map<std::string, std::vector<Token>> group_prefix;
  for (const Client& cl : w.clients) {
    if (cl.prefix_group.empty() || group_prefix.count(cl.prefix_group)) continue;
    group_prefix[cl.prefix_group] =
        random_tokens(wg, cl.prefix_length.value_or(limits::kDefaultPrefixLength));
  }

  double fraction_sum = 0;
  for (const Client& cl : w.clients) fraction_sum += cl.rate_fraction;

  Trace emitted;  // client order, then emission order
  for (const Client& cl : w.clients) {
    if (!(cl.rate_fraction > 0)) continue;
    const double rate = w.aggregate_rate * (cl.rate_fraction / fraction_sum) / 1e6;  // per µs
    Rng crng(wg.int63());
    int64_t t = 0;
    int64_t k = 0;
    while (t < horizon) {
      if (w.max_requests > 0 && k >= 2 * w.max_requests) break;
      const int64_t iat = inter_arrival(cl, rate, crng);
      if (iat >= horizon - t) break;  // t + iat >= horizon, tested without overflowing t
      t += iat;
      const int64_t input_len = sample_length(cl.input_dist, crng);
      const int64_t output_len = sample_length(cl.output_dist, crng);
      Request r;
      r.arrival = t;
      if (!cl.prefix_group.empty()) r.input = group_prefix.at(cl.prefix_group);
      const std::vector<Token> own_input = random_tokens(crng, input_len);
      r.input.insert(r.input.end(), own_input.begin(), own_input.end());
      r.output = random_tokens(crng, output_len);
      r.max_output_len = output_len;
      // A deadline beyond int64 cannot be reached; saturate instead of overflowing.
      r.deadline = cl.timeout_us > 0 ? saturating_add(t, cl.timeout_us) : 0;
      emitted.push_back(std::move(r));
      ++k;
    }
  }
  std::stable_sort(emitted.begin(), emitted.end(),
                   [](const Request& a, const Request& b) { return a.arrival < b.arrival; });
  if (w.max_requests > 0 && static_cast<int64_t>(emitted.size()) > w.max_requests) {
    emitted.resize(static_cast<size_t>(w.max_requests));
  }
  for (size_t i = 0; i < emitted.size(); ++i) emitted[i].id = "request_" + std::to_string(i);
  return emitted;
}

}  // namespace

Trace materialise(const Case& c) {
  return c.workload ? materialise_workload(c) : materialise_trace(c);
}

}  // namespace simcheck::model
