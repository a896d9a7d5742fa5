// BLIS `--log debug` -> step log and phase times (see blis_debug_log.h).
#include "io/blis_debug_log.h"

#include <algorithm>
#include <charconv>
#include <optional>
#include <set>
#include <string_view>

namespace simcheck::io {
namespace {

using model::RequestPhaseTimes;
using model::StepRecord;

// The msg="..." value of a logrus text record (Go %q quoting: \" and \\ escaped), or nullopt.
std::optional<std::string> logrus_message(std::string_view line) {
  const std::size_t at = line.find(" msg=\"");
  if (at == std::string_view::npos) return std::nullopt;
  std::string out;
  for (std::size_t i = at + 6; i < line.size(); ++i) {
    const char c = line[i];
    if (c == '\\' && i + 1 < line.size()) {
      const char n = line[++i];
      out += n == 'n' ? '\n' : n == 't' ? '\t' : n;
    } else if (c == '"') {
      return out;
    } else {
      out += c;
    }
  }
  return std::nullopt;  // unterminated: not a record of ours
}

bool starts_with(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

// A cursor over one message: literal matching and field extraction.
struct Scan {
  std::string_view s;
  bool ok = true;
  bool lit(std::string_view p) {
    if (!ok || !starts_with(s, p)) return ok = false;
    s.remove_prefix(p.size());
    return true;
  }
  // Characters up to (not including) `stop`; the stop string is consumed.
  std::string_view until(std::string_view stop) {
    if (!ok) return {};
    const std::size_t at = s.find(stop);
    if (at == std::string_view::npos) {
      ok = false;
      return {};
    }
    std::string_view v = s.substr(0, at);
    s.remove_prefix(at + stop.size());
    return v;
  }
  std::string_view rest() {
    std::string_view v = ok ? s : std::string_view{};
    s = {};
    return v;
  }
};

struct Alloc {
  std::string id;
  int64_t start = 0, end = 0, input_len = 0;
  bool failed = false;
};

// One StepEvent's lines, until the next executed event.
struct StepBlock {
  int64_t start = 0;
  std::vector<std::string> named;  // every request id its lines name, first mention first
  std::vector<Alloc> allocs;       // AllocateKVBlocks calls, in order
  std::vector<std::string> finished;
};

class Reader {
 public:
  explicit Reader(const NamedText& log) : log_(log) {}

  std::optional<InputError> run() {
    std::size_t pos = 0;
    while (pos <= log_.text.size()) {
      std::size_t nl = log_.text.find('\n', pos);
      if (nl == std::string::npos) nl = log_.text.size();
      ++line_no_;
      std::string_view line(log_.text.data() + pos, nl - pos);
      pos = nl + 1;
      if (line.find("level=debug") == std::string_view::npos) continue;
      auto msg = logrus_message(line);
      if (!msg) continue;
      if (auto err = record(*msg)) return err;
      if (nl == log_.text.size()) break;
    }
    close_step();
    finish();
    return std::nullopt;
  }

  BlisTimeline take() { return std::move(out_); }

 private:
  const NamedText& log_;
  int64_t line_no_ = 0;
  int64_t tick_ = 0;
  std::optional<StepBlock> step_;
  std::map<std::string, std::string> route_;  // request id -> instance id
  // Per instance: its steps with the ids that finished in each (for the step's end).
  std::map<std::string, std::vector<std::pair<StepRecord, std::vector<std::string>>>> steps_;
  // Per request id: the steps (instance, index) in which its prefill reached L.
  std::map<std::string, std::pair<std::string, std::size_t>> prefill_done_;
  std::map<std::string, std::pair<std::string, std::size_t>> first_step_;
  std::map<std::string, std::pair<std::string, std::size_t>> last_step_;
  std::map<std::string, int64_t> left_;
  std::vector<int64_t> unattributed_ticks_;  // non-decreasing (log order)
  BlisTimeline out_;

  // Whether an unplaced StepEvent fired strictly inside (from, to): then the next step's start
  // is not known to be this step's end.
  bool unplaced_step_in(int64_t from, int64_t to) const {
    auto it = std::upper_bound(unattributed_ticks_.begin(), unattributed_ticks_.end(), from);
    return it != unattributed_ticks_.end() && *it < to;
  }

  InputError error(std::string what, std::string value) const {
    return InputError{log_.name, "line " + std::to_string(line_no_), excerpt(value),
                      std::move(what)};
  }

  std::optional<InputError> number(std::string_view text, int64_t& v, const char* what) const {
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec != std::errc() || end != text.data() + text.size()) {
      return error(std::string("expected an integer ") + what + " in a BLIS debug record",
                   std::string(text));
    }
    return std::nullopt;
  }

  RequestPhaseTimes& times(const std::string& id) {
    auto r = route_.find(id);
    const std::string inst = r == route_.end() ? std::string() : r->second;
    return out_.phase_times[inst][id];
  }

  void name(const std::string& id) {
    if (!step_) return;
    for (const auto& n : step_->named)
      if (n == id) return;
    step_->named.push_back(id);
  }

  std::optional<InputError> record(const std::string& msg_text) {
    std::string_view m(msg_text);
    if (starts_with(m, "[tick ")) {
      Scan s{m};
      s.lit("[tick ");
      std::string_view t = s.until("] Executing *sim.");
      std::string_view kind = s.rest();
      if (!s.ok) return std::nullopt;  // e.g. "[tick N] Simulation ended" (info level anyway)
      while (t.size() > 1 && t.front() == '0') t.remove_prefix(1);
      if (auto e = number(t, tick_, "tick")) return e;
      close_step();
      if (kind == "StepEvent") {
        step_.emplace();
        step_->start = tick_;
      }
      return std::nullopt;
    }
    if (starts_with(m, "<< ")) return request_event(m);
    if (starts_with(m, "[cluster] ")) return cluster_event(m.substr(10));
    if (starts_with(m, "AllocateBlock for ReqID: ")) {
      Scan s{m};
      s.lit("AllocateBlock for ReqID: ");
      Alloc a;
      a.id = std::string(s.until(", Num Inputs: "));
      std::string_view len = s.until(", startIndex = ");
      std::string_view from = s.until(", endIndex = ");
      std::string_view to = s.rest();
      if (!s.ok) return error("unrecognised AllocateBlock record", msg_text);
      if (auto e = number(len, a.input_len, "Num Inputs")) return e;
      if (auto e = number(from, a.start, "startIndex")) return e;
      if (auto e = number(to, a.end, "endIndex")) return e;
      name(a.id);
      if (step_) step_->allocs.push_back(std::move(a));
      return std::nullopt;
    }
    if (starts_with(m, "KV cache full: ")) {
      const std::size_t at = m.rfind(" for req ");
      if (at == std::string_view::npos) return std::nullopt;
      std::string id(m.substr(at + 9));
      if (const std::size_t sp = id.find(' '); sp != std::string::npos) id.resize(sp);
      if (step_) {
        for (auto it = step_->allocs.rbegin(); it != step_->allocs.rend(); ++it) {
          if (it->id == id) {
            it->failed = true;
            break;
          }
        }
      }
      return std::nullopt;
    }
    if (starts_with(m, "Finished req: ID: ")) {
      Scan s{m};
      s.lit("Finished req: ID: ");
      std::string id(s.until(" at time: "));
      if (!s.ok) return error("unrecognised Finished record", msg_text);
      name(id);
      if (step_) step_->finished.push_back(id);
      return std::nullopt;
    }
    for (std::string_view p : {"Hit KV Cache for req: ", "Appending to latest blk: req: ",
                               "Assigning new blocks: req = "}) {
      if (starts_with(m, p)) {
        std::string id(m.substr(p.size()));
        id = id.substr(0, std::min(id.find(' '), id.find(',')));
        name(id);
        return std::nullopt;
      }
    }
    return std::nullopt;
  }

  // "<< Kind: id at T ticks"
  std::optional<InputError> request_event(std::string_view m) {
    Scan s{m};
    s.lit("<< ");
    std::string_view kind = s.until(": ");
    std::string id(s.until(" at "));
    std::string_view t = s.until(" ticks");
    if (!s.ok) return std::nullopt;  // "<< StepEvent at N ticks" and other shapes
    int64_t at = 0;
    if (auto e = number(t, at, "event time")) return e;
    RequestPhaseTimes& pt = times(id);
    if (kind == "Queued") {
      if (pt.enqueued < 0) pt.enqueued = at;
    } else if (kind == "Schedule") {
      if (pt.first_scheduled < 0) pt.first_scheduled = at;
    } else if (kind == "RequestLeft") {
      pt.left = at;
      left_[id] = at;
    } else if (kind == "Preemption") {
      ++pt.preemptions;
      name(id);
    }
    return std::nullopt;
  }

  std::optional<InputError> cluster_event(std::string_view m) {
    static constexpr std::string_view kArrow = " \xE2\x86\x92 ";  // " → "
    if (starts_with(m, "prefill req ")) {
      Scan s{m};
      s.lit("prefill req ");
      std::string id(s.until(std::string(kArrow) + "instance "));
      std::string inst(s.rest());
      if (s.ok) route_[id] = inst;
      return std::nullopt;
    }
    if (starts_with(m, "KV transfer started for ")) {
      Scan s{m};
      s.lit("KV transfer started for ");
      std::string parent(s.until(": "));
      s.until("duration=");
      std::string_view d = s.until(" ");
      if (!s.ok) return std::nullopt;
      int64_t dur = 0;
      if (auto e = number(d, dur, "transfer duration")) return e;
      RequestPhaseTimes& pt = times(parent + "_decode");
      pt.kv_from = parent + "_prefill";
      pt.kv_transfer_start = tick_;
      pt.kv_transfer_complete = tick_ + dur;
      return std::nullopt;
    }
    if (starts_with(m, "KV transfer completed for ")) {
      Scan s{m};
      s.lit("KV transfer completed for ");
      std::string parent(s.until(", promoting decode sub-req on decode pod "));
      std::string inst(s.rest());
      if (!s.ok) return std::nullopt;
      const std::string dec = parent + "_decode";
      route_[dec] = inst;
      RequestPhaseTimes& pt = times(dec);
      if (pt.enqueued < 0) pt.enqueued = pt.kv_transfer_complete;
      return std::nullopt;
    }
    if (starts_with(m, "req ")) {
      // "req R → instance I (reason=...)" and "req P: decode pod pre-selected → I"
      Scan s{m};
      s.lit("req ");
      std::string id(s.until(" "));
      std::string_view tail = s.rest();
      const bool decode = !id.empty() && id.back() == ':';
      if (decode) id.pop_back();
      const std::size_t arrow = tail.find(kArrow.substr(1));
      if (arrow == std::string_view::npos) return std::nullopt;
      if (decode != starts_with(tail, "decode pod pre-selected")) return std::nullopt;
      std::string_view target = tail.substr(arrow + kArrow.size() - 1);
      if (starts_with(target, "instance ")) target.remove_prefix(9);
      target = target.substr(0, target.find(' '));
      if (!target.empty()) route_[decode ? id + "_decode" : id] = std::string(target);
    }
    return std::nullopt;
  }

  void close_step() {
    if (!step_) return;
    StepBlock b = std::move(*step_);
    step_.reset();
    std::string inst;
    for (const auto& id : b.named) {
      auto r = route_.find(id);
      if (r != route_.end()) {
        inst = r->second;
        break;
      }
    }
    if (inst.empty()) {
      // E.g. the orphaned StepEvent BLIS leaves when a TIMEOUT empties the batch: it fires at
      // s + adv of some instance's step, which instance the log does not say.
      ++out_.unattributed_steps;
      unattributed_ticks_.push_back(b.start);
      return;
    }
    // The final-token allocation of a completing request (processCompletions) immediately
    // precedes its Finished line; it belongs to no batch.
    std::set<std::size_t> final_alloc;
    for (const std::string& f : b.finished) {
      std::size_t count = 0, last = b.allocs.size();
      for (std::size_t i = 0; i < b.allocs.size(); ++i) {
        if (b.allocs[i].id == f && !b.allocs[i].failed) {
          ++count;
          last = i;
        }
      }
      if (count >= 2) final_alloc.insert(last);
    }
    StepRecord rec;
    rec.start = b.start;
    rec.end = -1;
    const std::size_t index = steps_[inst].size();
    for (std::size_t i = 0; i < b.allocs.size(); ++i) {
      const Alloc& a = b.allocs[i];
      if (a.failed || final_alloc.count(i)) continue;
      // The cluster reserves a decode sub-request's KV on its decode pod while the prefill pod's
      // step is being processed: that allocation is not part of this step.
      auto r = route_.find(a.id);
      if (r != route_.end() && r->second != inst) continue;
      bool seen = false;
      for (const auto& id : rec.batch) seen = seen || id == a.id;
      if (!seen) rec.batch.push_back(a.id);
      rec.tokens += a.end - a.start;
      if (a.start < a.input_len && a.end >= a.input_len) prefill_done_[a.id] = {inst, index};
    }
    for (const auto& id : rec.batch) {
      first_step_.try_emplace(id, inst, index);
      last_step_[id] = {inst, index};
    }
    for (const auto& id : b.finished) last_step_[id] = {inst, index};
    steps_[inst].emplace_back(std::move(rec), std::move(b.finished));
  }

  void finish() {
    for (auto& [inst, list] : steps_) {
      for (std::size_t i = 0; i < list.size(); ++i) {
        StepRecord& s = list[i].first;
        for (const auto& id : list[i].second) {
          auto l = left_.find(id);
          if (l != left_.end()) {
            s.end = l->second;
            break;
          }
        }
        if (s.end < 0 && i + 1 < list.size() &&
            !unplaced_step_in(s.start, list[i + 1].first.start)) {
          s.end = list[i + 1].first.start;
        }
      }
    }
    auto end_of = [&](const std::pair<std::string, std::size_t>& at) {
      return steps_[at.first][at.second].first.end;
    };
    for (const auto& [id, at] : prefill_done_) times(id).first_token_step_end = end_of(at);
    for (const auto& [id, at] : first_step_) {
      // A decode sub-request arrives with its prompt's KV: its first step makes its first token.
      RequestPhaseTimes& pt = times(id);
      if (!pt.kv_from.empty()) pt.first_token_step_end = end_of(at);
    }
    for (const auto& [id, at] : last_step_) {
      if (left_.count(id)) times(id).last_token_step_end = end_of(at);
    }
    for (auto& [inst, list] : steps_) {
      auto& dst = out_.steps[inst];
      for (auto& [s, finished] : list) {
        if (s.end < 0) {
          ++out_.steps_without_end;
          continue;
        }
        dst.push_back(std::move(s));
      }
    }
    out_.phase_times.erase(std::string());  // requests the log never routed
  }
};

}  // namespace

std::variant<BlisTimeline, InputError> parse_blis_debug_log(const NamedText& log) {
  Reader reader(log);
  if (auto err = reader.run()) return *err;
  return reader.take();
}

void apply_blis_timeline(const BlisTimeline& timeline, model::RunOutput& run) {
  std::set<std::string> placed;
  for (model::InstanceOutput& inst : run.instances) {
    auto s = timeline.steps.find(inst.id);
    inst.steps = s == timeline.steps.end() ? std::vector<StepRecord>{} : s->second;
    model::IdMap<RequestPhaseTimes> times;
    auto p = timeline.phase_times.find(inst.id);
    if (p != timeline.phase_times.end()) {
      for (const auto& [id, t] : p->second) times.try_emplace(id, t);  // sorted: appends
    }
    inst.phase_times = std::move(times);
    placed.insert(inst.id);
  }
  for (const auto& [id, list] : timeline.steps) {
    if (!placed.count(id)) {
      run.warnings.push_back("BLIS debug log: instance " + id +
                             " is not in the run's instance list; its steps are not checked");
    }
  }
  if (timeline.unattributed_steps > 0) {
    run.warnings.push_back("BLIS debug log: " + std::to_string(timeline.unattributed_steps) +
                           " step(s) name no request and cannot be placed on an instance");
  }
  if (timeline.steps_without_end > 0) {
    run.warnings.push_back("BLIS debug log: " + std::to_string(timeline.steps_without_end) +
                           " step(s) without a visible end (the run stopped inside them)");
  }
}

}  // namespace simcheck::io
