// Shared plumbing of the strict laws of Addendum C §C4 (see causal_laws_support.h).
#include "properties/causal_laws_support.h"

#include <algorithm>
#include <cmath>

#include "model/latency.h"

namespace simcheck::properties::causal {

LawContext law_context(const model::RunOutput& run) {
  LawContext ctx;
  if (!run.config) return ctx;  // faithful, all quirks on, coefficients unknown
  const model::Config& c = *run.config;
  ctx.causal = c.causal();
  ctx.quirks = c.quirks;
  ctx.standalone = c.driver == model::Driver::standalone;
  ctx.horizon = c.horizon_us;
  ctx.otp = model::output_token_processing_time(c.alpha);
  ctx.post_decode = c.post_decode_fixed_overhead_us;
  // §C4: the shortest non-empty step containing a prefill (resp. a decode) token.
  ctx.s_prefill = std::max<int64_t>(1, model::step_time(c.beta, 1, 0));
  ctx.s_decode = std::max<int64_t>(1, model::step_time(c.beta, 0, 1));
  return ctx;
}

void report(support::Violations& out, const LawContext& ctx, std::string_view subject,
            std::string detail, const char* quirk) {
  if (ctx.causal || quirk == nullptr) {
    out.fail(subject, std::move(detail));
    return;
  }
  out.known(subject, std::move(detail) + "; explained by " + quirk);
}

RunFacts::RunFacts(const model::RunOutput& run) : parents_(support::index_parents(run)) {
  if (run.trace) {
    for (const auto& t : *run.trace) {
      facts_[t.id] = RequestFacts{t.arrival, t.output_len, t.deadline};
    }
  }
  if (run.parents) {
    for (const auto& p : *run.parents) {
      RequestFacts f{p.arrival, p.output_len, 0};
      if (auto it = facts_.find(p.id.view()); it != facts_.end()) f = it->second;
      facts_.emplace(p.id.view(), f);
      facts_[p.prefill_id.view()] = RequestFacts{f.arrival, 0, f.deadline};  // N = 0 (§9.3)
      facts_[p.decode_id.view()] = f;
    }
  }
  for (const auto& inst : run.instances) {
    if (inst.phase_times) {
      for (const auto& [id, ph] : *inst.phase_times) {
        Placement& pl = placement_[id];
        pl.instance = &inst;
        pl.phase = &ph;
        if (ph.left >= 0) pl.left = ph.left;
      }
    }
    if (inst.events) {
      for (const auto& e : *inst.events) {
        if (e.kind != model::EventKind::request_left) continue;
        Placement& pl = placement_[e.request_id];
        pl.instance = &inst;
        pl.left = e.time;
      }
    }
    for (const auto& [id, st] : inst.final_states) {
      Placement& pl = placement_[id];
      if (pl.instance == nullptr) pl.instance = &inst;
      if (pl.instance == &inst) pl.final_pi = st.pi;
    }
  }
}

const RequestFacts* RunFacts::facts(std::string_view id) const {
  auto it = facts_.find(id);
  return it == facts_.end() ? nullptr : &it->second;
}

const Placement* RunFacts::placement(std::string_view id) const {
  auto it = placement_.find(id);
  return it == placement_.end() ? nullptr : &it->second;
}

const model::StepRecord* RunFacts::step_starting(const model::InstanceOutput& inst, int64_t start) {
  if (!inst.steps) return nullptr;
  const model::StepRecord* found = nullptr;
  for (const auto& s : *inst.steps) {
    if (s.start == start) found = &s;
  }
  return found;
}

const model::StepRecord* RunFacts::step_ending(const model::InstanceOutput& inst, int64_t end) {
  if (!inst.steps) return nullptr;
  for (const auto& s : *inst.steps) {
    if (s.end == end) return &s;
  }
  return nullptr;
}

bool RunFacts::in_batch(const model::StepRecord& s, std::string_view id) {
  return std::find(s.batch.begin(), s.batch.end(), id) != s.batch.end();
}

std::vector<Completed> completed_keys(const model::RunOutput& run, const RunFacts& facts,
                                      std::string& why_missing) {
  std::vector<Completed> out;
  const model::MetricMaps& m = run.aggregate.maps;
  support::SortedCursor ttft_of(m.ttft);
  support::SortedCursor meta_of(m.requests_meta);
  for (const auto& [k, e2e] : m.e2e) {
    Completed c;
    c.key = k;
    c.e2e = e2e;
    if (const double* t = ttft_of.find(k)) {
      c.ttft = *t;
      c.has_ttft = true;
    }
    const model::RequestMeta* meta = meta_of.find(k);
    if (const model::ParentRecord* p = facts.parents().parent(k)) {
      // A parent's E2E comes from a completion only when its decode completed (E-TIMEOUT and
      // the faithful fallbacks are not completions).
      if (p->outcome != model::ParentOutcome::decode_completed || !p->decode_sub) continue;
      c.parent = true;
      c.record = p;
      c.token_id = p->decode_id;
      c.n_tok = p->output_len;
      const Placement* pl = facts.placement(p->decode_id.view());
      if (pl != nullptr && pl->instance != nullptr) {
        auto it = pl->instance->maps.requests_meta.find(p->decode_id);
        if (it != pl->instance->maps.requests_meta.end() && it->second.length_capped) {
          c.capped = true;
          c.n_tok = static_cast<int64_t>(p->decode_sub->itl.size()) + 1;
        }
      }
      out.push_back(std::move(c));
      continue;
    }
    if (support::key_kind(run, facts.parents(), k) != support::KeyKind::non_pd) {
      why_missing = "parents missing";
      continue;
    }
    const RequestFacts* f = facts.facts(k);
    if (f == nullptr && meta == nullptr) {
      why_missing = "trace and requests_meta missing";
      continue;
    }
    c.token_id = k;
    c.n_tok = f != nullptr ? f->output_len : meta->num_decode_tokens;
    if (meta != nullptr && meta->length_capped) {
      c.capped = true;
      const Placement* pl = facts.placement(k);
      if (pl == nullptr || !pl->final_pi) {
        why_missing = "final_states missing (length-capped request)";
        continue;
      }
      c.n_tok = *pl->final_pi - meta->num_prefill_tokens + 1;  // |itl| = pi - L decode steps
    }
    out.push_back(std::move(c));
  }
  return out;
}

exact::Sum last_token_time(const Completed& c, const RequestFacts& f, const LawContext& ctx) {
  exact::Sum t(f.arrival);
  t.add(c.e2e);
  if (f.output_len > 0) t.sub(*ctx.post_decode);
  t.sub(static_cast<int64_t>(c.n_tok * *ctx.otp));
  return t;
}

}  // namespace simcheck::properties::causal
