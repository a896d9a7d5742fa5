// Spec §11 INV-PD-2 (pool exclusivity) and INV-PD-5 (pool stability): PD sub-requests and
// non-disaggregated requests run only on instances of the right role (§2 role assignment).
#include <algorithm>
#include <string>
#include <unordered_map>

#include "properties/check_support.h"
#include "properties/checks.h"

namespace simcheck::properties {
namespace {

using model::Role;
using support::kv;

}  // namespace

CheckResult check_pd_pool_exclusivity(const RunOutput& run) {
  const char* id = "INV-PD-2";
  if (!support::is_pd_run(run)) return not_applicable(id, "not a PD run");
  const bool roles_known = std::any_of(run.instances.begin(), run.instances.end(),
                                       [](const auto& i) { return i.role != Role::none; });
  if (!roles_known) return not_applicable(id, "instances[].role missing");
  support::Violations out(id);
  std::unordered_map<std::string_view, Role> role;
  for (const auto& inst : run.instances) role.emplace(inst.id, inst.role);
  auto role_of = [&](const std::string& inst) -> std::optional<Role> {
    auto it = role.find(inst);
    return it == role.end() ? std::nullopt : std::optional<Role>(it->second);
  };
  auto expect = [&](std::string_view subject, const std::string& inst, Role want,
                    const char* what) {
    const auto r = role_of(inst);
    if (!r) {
      out.fail(subject, std::string(what) + " " + inst + " is not an instance of the run");
    } else if (*r != want) {
      out.fail(subject, std::string(what) + " " + inst + " has role " + model::to_string(*r) +
                            ", expected " + model::to_string(want));
    }
  };
  const auto parents = support::index_parents(run);
  if (run.parents) {
    for (const auto& p : *run.parents) {
      if (!p.prefill_instance.empty())
        expect(p.id, p.prefill_instance, Role::prefill, "prefill_instance");
      if (!p.decode_instance.empty())
        expect(p.id, p.decode_instance, Role::decode, "decode_instance");
    }
  }
  // After projection every request record is handled by a decode instance: a non-disaggregated
  // request is served whole there, a parent's handled_by is its decode instance (§10.4).
  for (const auto& [k, meta] : run.aggregate.maps.requests_meta) {
    expect(k, meta.handled_by, Role::decode, "handled_by");
  }
  // Before projection: a prefill instance serves only prefill sub-requests, a decode instance
  // only decode sub-requests and whole requests (needs the parent records to tell them apart).
  if (run.parents) {
    for (const auto& inst : run.instances) {
      for (const auto& [k, meta] : inst.maps.requests_meta) {
        const auto* p = parents.by_sub_id.count(k) ? parents.by_sub_id.at(k) : nullptr;
        const bool prefill_sub = p && p->prefill_id == k;
        const Role want = prefill_sub ? Role::prefill : Role::decode;
        if (inst.role != want) {
          out.fail(k, std::string(prefill_sub ? "prefill sub-request" : "decode/whole request") +
                          " registered on " + inst.id + " with role " +
                          model::to_string(inst.role));
        }
      }
    }
  }
  return std::move(out).finish();
}

CheckResult check_pd_pool_stability(const RunOutput& run) {
  const char* id = "INV-PD-5";
  if (!run.config) return not_applicable(id, "config missing (roles at construction)");
  support::Violations out(id);
  const model::Config& c = *run.config;
  if (static_cast<int64_t>(run.instances.size()) != c.num_instances) {
    out.fail("", std::to_string(run.instances.size()) + " instances reported, " +
                     kv("num_instances", static_cast<int64_t>(c.num_instances)));
  }
  for (std::size_t i = 0; i < run.instances.size(); ++i) {
    const auto& inst = run.instances[i];
    const int idx = static_cast<int>(i);
    const Role constructed = idx < c.prefill_instances                        ? Role::prefill
                             : idx < c.prefill_instances + c.decode_instances ? Role::decode
                                                                              : Role::none;
    const std::string expected_id = "instance_" + std::to_string(i);
    if (inst.id != expected_id) {
      out.fail(inst.id, "instance #" + std::to_string(i) + " is named " + inst.id + ", expected " +
                            expected_id);
    }
    if (inst.role != constructed) {
      out.fail(inst.id, std::string("role at the end ") + model::to_string(inst.role) +
                            " != role at construction " + model::to_string(constructed));
    }
  }
  return std::move(out).finish();
}

}  // namespace simcheck::properties
