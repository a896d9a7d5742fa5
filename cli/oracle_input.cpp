// docs/oracle.md "Formats": run-output reading shared by `check` and `diff` (oracle_input.h).
#include "cli/oracle_input.h"

#include <CLI/CLI.hpp>
#include <string>
#include <utility>

#include "io/blis_debug_log.h"
#include "io/blis_replay_reader.h"
#include "io/json_lexeme.h"
#include "io/run_output_reader.h"

namespace simcheck::cli {

std::string detect_format(const std::string& text) {
  if (io::looks_like_blis_stdout(text)) return "blis";
  // Cheap prefix tests first (BLIS writes keys in struct order), then the document's shape for
  // files another tool re-serialised with its keys reordered.
  if (io::looks_like_blis_metrics(text)) return "blis";
  if (io::looks_like_blis_replay_results(text)) return "blis-replay";
  io::LexJsonError error;
  const auto json = io::parse_lex_json(text, error);
  if (!json) return "simcheck";  // its reader reports the syntax error
  if (json->kind == io::LexJson::Kind::object && json->find("instance_id")) return "blis";
  if (json->kind == io::LexJson::Kind::array &&
      (json->items.empty() || (json->items.front().kind == io::LexJson::Kind::object &&
                               json->items.front().find("request_id")))) {
    return "blis-replay";
  }
  return "simcheck";
}

std::variant<model::RunOutput, io::InputError> read_output(const OutputSource& source) {
  // Checked before the file is read: 0 means "not given", a negative count is a typo.
  for (const auto& [flag, count] :
       {std::pair{"--prefill-instances", source.blis.prefill_instances},
        std::pair{"--decode-instances", source.blis.decode_instances}}) {
    if (count < 0) return io::InputError{flag, "", std::to_string(count), "must be >= 0"};
  }
  io::InputError error;
  auto text = io::read_text_file(source.path, error);
  if (!text) return error;
  const std::string format = source.format == "auto" ? detect_format(*text) : source.format;
  if (format != "blis" && source.blis_stdout) {
    return io::InputError{source.path, "--stdout", *source.blis_stdout,
                          "--stdout goes with a BLIS output, but the format is " + format};
  }
  if (format != "blis" && source.blis_log) {
    return io::InputError{source.path, "--blis-log", *source.blis_log,
                          "--blis-log goes with a BLIS output, but the format is " + format};
  }
  if (format == "simcheck") return io::parse_run_output(*text, source.path);
  if (format == "blis-replay") {
    return io::parse_blis_replay_results(io::NamedText{source.path, std::move(*text)});
  }
  if (format == "blis") {
    std::optional<io::NamedText> metrics, printed;
    if (io::looks_like_blis_stdout(*text)) {
      // OUTPUT is the stdout itself: the run is read from its blocks alone.
      if (source.blis_stdout) {
        return io::InputError{source.path, "", "",
                              "OUTPUT is a BLIS stdout already; --stdout is for the metrics file"};
      }
      printed = io::NamedText{source.path, std::move(*text)};
    } else {
      metrics = io::NamedText{source.path, std::move(*text)};
      if (source.blis_stdout) {
        auto out_text = io::read_text_file(*source.blis_stdout, error);
        if (!out_text) return error;
        printed = io::NamedText{*source.blis_stdout, std::move(*out_text)};
      }
    }
    auto run = io::parse_blis_output(metrics, printed, source.blis);
    if (source.blis_log && std::holds_alternative<model::RunOutput>(run)) {
      auto log_text = io::read_text_file(*source.blis_log, error);
      if (!log_text) return error;
      auto timeline =
          io::parse_blis_debug_log(io::NamedText{*source.blis_log, std::move(*log_text)});
      if (auto* e = std::get_if<io::InputError>(&timeline)) return *e;
      io::apply_blis_timeline(std::get<io::BlisTimeline>(timeline),
                              std::get<model::RunOutput>(run));
    }
    return run;
  }
  return io::InputError{"--format", "", format, "expected auto, simcheck, blis or blis-replay"};
}

void add_output_format_options(CLI::App& command, OutputSource& source) {
  command
      .add_option("--format", source.format,
                  "producer of OUTPUT: simcheck (simcheck-run/1), blis (BLIS --metrics-path JSON, "
                  "or its stdout), blis-replay (BLIS replay --results-path JSON), or auto "
                  "(default: decided from the content, docs/oracle.md)")
      ->check(CLI::IsMember({"auto", "simcheck", "blis", "blis-replay"}));
  command.add_option("--stdout", source.blis_stdout,
                     "BLIS only: the run's stdout, for the per-instance blocks and the PD section");
  command.add_option("--blis-log", source.blis_log,
                     "BLIS only: its --log debug stderr; the step log and phase times it yields "
                     "feed the timeline laws (LAW-C4-L1/L2, LAW-TL-*)");
  command.add_option("--prefill-instances", source.blis.prefill_instances,
                     "BLIS only: the --prefill-instances BLIS ran with (gives the instance roles; "
                     "nothing in BLIS's files names them)");
  command.add_option("--decode-instances", source.blis.decode_instances,
                     "BLIS only: the --decode-instances BLIS ran with");
}

}  // namespace simcheck::cli
