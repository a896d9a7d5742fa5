// Spec §10.6: canonical spellings of the run-output enums.
#include "model/run_output.h"

#include "model/enum_table.h"

namespace simcheck::model {
namespace {

using detail::name_of;
using detail::parse_from;

constexpr std::pair<Role, const char*> kRole[] = {
    {Role::none, "none"}, {Role::prefill, "prefill"}, {Role::decode, "decode"}};
constexpr std::pair<RequestState, const char*> kState[] = {
    {RequestState::queued, "QUEUED"},
    {RequestState::running, "RUNNING"},
    {RequestState::completed, "COMPLETED"},
    {RequestState::timed_out, "TIMED_OUT"},
    {RequestState::waiting_for_remote_kvs, "WAITING_FOR_REMOTE_KVS"}};
constexpr std::pair<EventKind, const char*> kEvent[] = {{EventKind::arrival, "ARRIVAL"},
                                                        {EventKind::queued, "QUEUED"},
                                                        {EventKind::step, "STEP"},
                                                        {EventKind::scheduled, "SCHEDULED"},
                                                        {EventKind::request_left, "REQUEST_LEFT"},
                                                        {EventKind::timeout, "TIMEOUT"},
                                                        {EventKind::step_end, "STEP_END"}};
constexpr std::pair<ParentOutcome, const char*> kOutcome[] = {
    {ParentOutcome::prefill_dropped, "prefill_dropped"},
    {ParentOutcome::prefill_timed_out, "prefill_timed_out"},
    {ParentOutcome::prefill_pending, "prefill_pending"},
    {ParentOutcome::dropped_at_start, "dropped_at_start"},
    {ParentOutcome::in_transfer, "in_transfer"},
    {ParentOutcome::late_drop, "late_drop"},
    {ParentOutcome::decode_pending, "decode_pending"},
    {ParentOutcome::decode_completed, "decode_completed"},
    {ParentOutcome::decode_timed_out, "decode_timed_out"}};
constexpr std::pair<TtftBranch, const char*> kTtft[] = {{TtftBranch::none, "none"},
                                                        {TtftBranch::primary, "T-PRIMARY"},
                                                        {TtftBranch::fallback, "T-FALLBACK"},
                                                        {TtftBranch::negative, "T-NEGATIVE"},
                                                        {TtftBranch::decode, "T-DECODE"}};
constexpr std::pair<E2eBranch, const char*> kE2e[] = {{E2eBranch::none, "none"},
                                                      {E2eBranch::primary, "E-PRIMARY"},
                                                      {E2eBranch::preempted, "E-PREEMPTED"},
                                                      {E2eBranch::fallback, "E-FALLBACK"},
                                                      {E2eBranch::negative, "E-NEGATIVE"},
                                                      {E2eBranch::decode, "E-DECODE"},
                                                      {E2eBranch::timeout, "E-TIMEOUT"}};

}  // namespace

const char* to_string(Role v) { return name_of(kRole, v); }
const char* to_string(RequestState v) { return name_of(kState, v); }
const char* to_string(EventKind v) { return name_of(kEvent, v); }
const char* to_string(ParentOutcome v) { return name_of(kOutcome, v); }
const char* to_string(TtftBranch v) { return name_of(kTtft, v); }
const char* to_string(E2eBranch v) { return name_of(kE2e, v); }
bool parse(const std::string& s, Role& out) { return parse_from(kRole, s, out); }
bool parse(const std::string& s, RequestState& out) { return parse_from(kState, s, out); }
bool parse(const std::string& s, EventKind& out) { return parse_from(kEvent, s, out); }
bool parse(const std::string& s, ParentOutcome& out) { return parse_from(kOutcome, s, out); }
bool parse(const std::string& s, TtftBranch& out) { return parse_from(kTtft, s, out); }
bool parse(const std::string& s, E2eBranch& out) { return parse_from(kE2e, s, out); }

}  // namespace simcheck::model
