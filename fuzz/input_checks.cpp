// docs/fuzzing.md "Targets": the bodies of the fuzz targets (see input_checks.h).
#include "fuzz/input_checks.h"

#include <exception>
#include <string_view>
#include <variant>

#include "fuzz/decode_case.h"
#include "io/blis_debug_log.h"
#include "io/blis_metrics_reader.h"
#include "io/blis_trace.h"
#include "io/case_reader.h"
#include "io/case_writer.h"
#include "io/external_input.h"
#include "io/run_output_reader.h"
#include "io/run_output_writer.h"
#include "model/case_validation.h"
#include "model/simulate.h"

namespace simcheck::fuzz {
namespace {

std::string_view as_text(Bytes input) {
  return {reinterpret_cast<const char*>(input.data()), input.size()};
}

// Readers and checks promise never to throw; an escaping exception is a finding in its own
// right, reported with the step that threw (uncaught, it would only say "abort").
template <class Fn>
Finding guarded(const char* step, Fn&& fn) {
  try {
    return fn();
  } catch (const std::exception& e) {
    return std::string(step) + " threw: " + e.what();
  } catch (...) {
    return std::string(step) + " threw a non-standard exception";
  }
}

Finding run_catalogue(const model::RunOutput& out, const char* what) {
  return guarded(what, [&]() -> Finding {
    // Only robustness is asserted: an external output may break any law (that is what
    // `simcheck check` reports), but the checks must not crash or throw on it.
    (void)properties::check_all(out);
    return std::nullopt;
  });
}

Finding case_writer_fixpoint(const model::Case& c) {
  return guarded("case writer", [&]() -> Finding {
    const std::string first = io::write_case(c);
    const io::CaseReadResult again = io::parse_case(first, "written");
    if (const auto* e = std::get_if<io::InputError>(&again)) {
      return "the case reader rejects the case writer's output: " + io::describe(*e) +
             "\nwritten:\n" + first;
    }
    const std::string second = io::write_case(std::get<model::Case>(again));
    if (second != first) {
      return "case writer/reader round trip changed the case\nfirst write:\n" + first +
             "\nsecond write:\n" + second;
    }
    return std::nullopt;
  });
}

Finding run_output_writer_fixpoint(const model::RunOutput& out, const char* source) {
  return guarded("run-output writer", [&]() -> Finding {
    const std::string first = io::write_run_output(out);
    const io::RunOutputReadResult again = io::parse_run_output(first, "written");
    if (const auto* e = std::get_if<io::InputError>(&again)) {
      return std::string("the run-output reader rejects the writer's output of a ") + source +
             ": " + io::describe(*e) + "\nwritten:\n" + first;
    }
    const std::string second = io::write_run_output(std::get<model::RunOutput>(again));
    if (second != first) {
      return std::string("run-output writer/reader round trip changed a ") + source +
             "\nfirst write:\n" + first + "\nsecond write:\n" + second;
    }
    return std::nullopt;
  });
}

Finding read_blis_once(const std::optional<io::NamedText>& metrics,
                       const std::optional<io::NamedText>& stdout_file,
                       const io::BlisReadOptions& options) {
  std::optional<io::BlisReadResult> read;
  if (Finding f = guarded("BLIS reader", [&]() -> Finding {
        read = io::parse_blis_output(metrics, stdout_file, options);
        return std::nullopt;
      })) {
    return f;
  }
  const auto* out = std::get_if<model::RunOutput>(&*read);
  if (out == nullptr) return std::nullopt;  // a clear error: fine
  if (Finding f = run_catalogue(*out, "check_all on a BLIS output")) return f;
  return run_output_writer_fixpoint(*out, "BLIS output");
}

}  // namespace

Finding check_case_reader_input(Bytes input) {
  std::optional<io::CaseReadResult> read;
  if (Finding f = guarded("case reader", [&]() -> Finding {
        read = io::parse_case(as_text(input), "fuzz-input");
        return std::nullopt;
      })) {
    return f;
  }
  const auto* c = std::get_if<model::Case>(&*read);
  if (c == nullptr) {
    const auto& e = std::get<io::InputError>(*read);
    // "A clear error": it must say what is wrong.
    if (e.message.empty()) return "the case reader rejected the input without a message";
    return std::nullopt;
  }
  if (auto e = model::validate_case(*c)) {
    return "the case reader accepted a case that validate_case rejects: " + e->field + " = " +
           e->value + ": " + e->message;
  }
  return case_writer_fixpoint(*c);
}

Finding check_run_output_reader_input(Bytes input) {
  std::optional<io::RunOutputReadResult> read;
  if (Finding f = guarded("run-output reader", [&]() -> Finding {
        read = io::parse_run_output(as_text(input), "fuzz-input");
        return std::nullopt;
      })) {
    return f;
  }
  const auto* out = std::get_if<model::RunOutput>(&*read);
  if (out == nullptr) {
    if (std::get<io::InputError>(*read).message.empty()) {
      return "the run-output reader rejected the input without a message";
    }
    return std::nullopt;
  }
  if (Finding f = run_catalogue(*out, "check_all on a read run output")) return f;
  return run_output_writer_fixpoint(*out, "read run output");
}

Finding check_blis_metrics_reader_input(Bytes input) {
  const io::NamedText text{"fuzz-input", std::string(as_text(input))};
  // Without pool sizes (roles unknown), with a 1+1 PD split (roles by index), and as stdout.
  if (Finding f = read_blis_once(text, std::nullopt, io::BlisReadOptions{})) return f;
  if (Finding f = read_blis_once(text, std::nullopt, io::BlisReadOptions{1, 1})) return f;
  return read_blis_once(std::nullopt, text, io::BlisReadOptions{});
}

Finding check_blis_trace_reader_input(Bytes input) {
  const std::string_view all = as_text(input);
  const std::string marker = std::string("\n") + kBlisTraceSeparator + "\n";
  io::NamedText header{"fuzz-header", ""};
  io::NamedText csv{"fuzz-csv", std::string(all)};
  if (all.rfind(std::string(kBlisTraceSeparator) + "\n", 0) == 0) {
    csv.text = std::string(all.substr(marker.size() - 1));
  } else if (const size_t at = all.find(marker); at != std::string_view::npos) {
    header.text = std::string(all.substr(0, at + 1));
    csv.text = std::string(all.substr(at + marker.size()));
  }
  return guarded("BLIS trace reader", [&]() -> Finding {
    auto read = io::parse_blis_trace(header, csv);
    const auto* trace = std::get_if<io::BlisTrace>(&read);
    if (trace == nullptr) return std::nullopt;

    // Writer fixpoint: write, re-read, write again.
    const io::NamedText header2{"written-header", io::write_blis_trace_header(*trace)};
    const io::NamedText csv2{"written-csv", io::write_blis_trace_csv(*trace)};
    auto again = io::parse_blis_trace(header2, csv2);
    if (const auto* e = std::get_if<io::InputError>(&again)) {
      return "the BLIS trace reader rejects the writers' output: " + io::describe(*e) +
             "\nheader:\n" + header2.text + "\ncsv:\n" + csv2.text;
    }
    const auto& trace2 = std::get<io::BlisTrace>(again);
    if (io::write_blis_trace_header(trace2) != header2.text ||
        io::write_blis_trace_csv(trace2) != csv2.text) {
      return "BLIS trace writer/reader round trip changed the trace\nheader:\n" + header2.text +
             "\ncsv:\n" + csv2.text;
    }

    // What replay builds must keep to_trace_requests' documented promises (blis_trace.h):
    // sorted by arrival, L >= 1 and N >= 1 (A10), a group prefix within the prompt. Size caps
    // are validate_case's business (the caller validates the case it builds), so validate_case
    // only has to run on it, not to accept it.
    auto requests = io::to_trace_requests(*trace, header.name, csv.name);
    const auto* list = std::get_if<std::vector<model::TraceRequest>>(&requests);
    if (list == nullptr) return std::nullopt;
    for (size_t i = 0; i < list->size(); ++i) {
      const model::TraceRequest& r = (*list)[i];
      const std::string where =
          "to_trace_requests: request " + std::to_string(i) + " (" + r.id + ")";
      if (i > 0 && r.arrival_us < (*list)[i - 1].arrival_us) return where + " arrives out of order";
      if (r.input_len < 1 || r.output_len < 1) return where + " has L = 0 or N = 0";
      if (r.prefix_length > r.input_len) return where + " has a prefix longer than its prompt";
    }
    model::Case c;
    c.requests = *list;
    (void)model::validate_case(c);
    return std::nullopt;
  });
}

CaseVerdict simulate_and_check(const model::Case& c, const properties::CheckOptions& options) {
  CaseVerdict verdict;
  const model::RunOutput out = model::simulate(c);
  for (const properties::CheckResult& r : properties::check_all(out)) {
    if (!properties::is_gating(r, options)) continue;
    verdict.gating = true;
    verdict.gating_checks.push_back(r.id);
    for (const properties::Violation& v : r.violations) {
      if (v.known_exception && !options.strict) continue;
      verdict.report += r.id + " " + v.subject + ": " + v.detail + "\n";
    }
  }
  return verdict;
}

Finding check_simulate_input(Bytes input, const SimulateCheckOptions& options) {
  model::Case c = decode_case(input, fuzz_case_options());
  c.config.projection = options.projection;
  c.config.record_events = options.record_events;
  if (auto e = model::validate_case(c)) {
    // The decoder's promise (gen::to_case is total) is broken: report the case as the bug.
    return "decode_case produced an invalid case: " + e->field + " = " + e->value + ": " +
           e->message + "\ncase:\n" + io::write_case(c);
  }
  const CaseVerdict verdict = simulate_and_check(c, properties::CheckOptions{options.strict});
  if (!verdict.gating) return std::nullopt;
  return "gating violations (projection " + std::string(model::to_string(options.projection)) +
         (options.strict ? ", strict" : "") + "):\n" + verdict.report +
         "case (simcheck-case/1):\n" + io::write_case(c);
}

Finding check_blis_debug_log_input(Bytes input) {
  std::optional<std::variant<io::BlisTimeline, io::InputError>> read;
  if (Finding f = guarded("BLIS debug-log reader", [&]() -> Finding {
        read = io::parse_blis_debug_log(io::NamedText{"fuzz-input", std::string(as_text(input))});
        return std::nullopt;
      })) {
    return f;
  }
  if (const auto* e = std::get_if<io::InputError>(&*read)) {
    if (e->message.empty()) return "the BLIS debug-log reader rejected the input without a message";
    return std::nullopt;
  }
  const auto& timeline = std::get<io::BlisTimeline>(*read);
  for (const auto& [inst, steps] : timeline.steps) {
    for (const auto& s : steps) {
      if (s.end < 0) return "a step of " + inst + " was kept without an end";
    }
  }
  model::RunOutput run;
  run.source = "blis";
  run.instances.resize(4);
  for (int i = 0; i < 4; ++i)
    run.instances[static_cast<size_t>(i)].id = "instance_" + std::to_string(i);
  io::apply_blis_timeline(timeline, run);
  return run_catalogue(run, "check_all on a BLIS debug-log timeline");
}

const std::vector<TargetBody>& target_bodies() {
  static const std::vector<TargetBody> bodies = {
      {"case_reader", &check_case_reader_input},
      {"run_output_reader", &check_run_output_reader_input},
      {"blis_metrics_reader", &check_blis_metrics_reader_input},
      {"blis_trace_reader", &check_blis_trace_reader_input},
      {"blis_debug_log", &check_blis_debug_log_input},
      {"simulate_check", [](Bytes input) { return check_simulate_input(input, {}); }},
  };
  return bodies;
}

}  // namespace simcheck::fuzz
