// Spec §2: canonical enum spellings shared by every format.
#include "model/config.h"

#include "model/enum_table.h"

namespace simcheck::model {
namespace {

using detail::name_of;
using detail::parse_from;

constexpr std::pair<EmptyStepRule, const char*> kEmptyStep[] = {{EmptyStepRule::one, "one"},
                                                                {EmptyStepRule::beta0, "beta0"}};
constexpr std::pair<RoutingPolicy, const char*> kRouting[] = {
    {RoutingPolicy::round_robin, "round-robin"}, {RoutingPolicy::least_loaded, "least-loaded"}};
constexpr std::pair<LeastLoadedTiebreak, const char*> kTiebreak[] = {
    {LeastLoadedTiebreak::first, "first"}, {LeastLoadedTiebreak::random, "random"}};
constexpr std::pair<PdDecider, const char*> kDecider[] = {{PdDecider::never, "never"},
                                                          {PdDecider::always, "always"}};
constexpr std::pair<Driver, const char*> kDriver[] = {{Driver::cluster, "cluster"},
                                                      {Driver::standalone, "standalone"}};
constexpr std::pair<ProjectionEra, const char*> kEra[] = {{ProjectionEra::current, "current"},
                                                          {ProjectionEra::pre_1514, "pre-1514"},
                                                          {ProjectionEra::pre_1512, "pre-1512"},
                                                          {ProjectionEra::pre_931, "pre-931"},
                                                          {ProjectionEra::pre_846, "pre-846"}};
constexpr std::pair<TimeProfile, const char*> kProfile[] = {{TimeProfile::faithful, "faithful"},
                                                            {TimeProfile::causal, "causal"}};

}  // namespace

const char* to_string(EmptyStepRule v) { return name_of(kEmptyStep, v); }
const char* to_string(RoutingPolicy v) { return name_of(kRouting, v); }
const char* to_string(LeastLoadedTiebreak v) { return name_of(kTiebreak, v); }
const char* to_string(PdDecider v) { return name_of(kDecider, v); }
const char* to_string(Driver v) { return name_of(kDriver, v); }
const char* to_string(ProjectionEra v) { return name_of(kEra, v); }
const char* to_string(TimeProfile v) { return name_of(kProfile, v); }

bool parse(const std::string& s, EmptyStepRule& out) { return parse_from(kEmptyStep, s, out); }
bool parse(const std::string& s, RoutingPolicy& out) { return parse_from(kRouting, s, out); }
bool parse(const std::string& s, LeastLoadedTiebreak& out) { return parse_from(kTiebreak, s, out); }
bool parse(const std::string& s, PdDecider& out) { return parse_from(kDecider, s, out); }
bool parse(const std::string& s, Driver& out) { return parse_from(kDriver, s, out); }
bool parse(const std::string& s, ProjectionEra& out) { return parse_from(kEra, s, out); }
bool parse(const std::string& s, TimeProfile& out) { return parse_from(kProfile, s, out); }

}  // namespace simcheck::model
