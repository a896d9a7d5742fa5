#!/usr/bin/python3
"""A tiny stand-in for `blis replay`, for simcheck's SUT-runner tests (no BLIS needed in CI).

It reads the flags and the trace simcheck exports, simulates the simplest possible server (one
instance, requests served one at a time in arrival order, every step lasting beta0 µs) and
writes what BLIS writes: the `=== Simulation Metrics ===` stdout blocks, the --metrics-path JSON
and a `--log debug` record stream on stderr. For one request it agrees with the reference model
exactly; for several simultaneous requests it does not (the reference batches them), which is
what the diff tests want.

FAKE_BLIS_BREAK chooses a law to break:
  none (default) | overlap (a request's first step starts 1 µs before the previous request's
  last step ends: O1's shape, a known exception)
  | early-e2e (E2E 1 µs short of the last step end) | crash (exit 3) | hang (sleep)
  | garbage (unparsable metrics JSON)
FAKE_BLIS_BREAK_MIN_REQUESTS: break only when the trace has at least this many requests
(default 1), so that shrinking has something to find.
"""
import csv
import json
import os
import sys
import time


def flag(argv, name, default=None):
    for a in argv:
        if a.startswith(name + "="):
            return a[len(name) + 1:]
    if name in argv:
        i = argv.index(name)
        if i + 1 < len(argv):
            return argv[i + 1]
    return default


def ms(us):
    return us / 1000.0


def mean_ms(values):
    if not values:
        return 0.0
    return (sum(sorted(float(v) for v in values)) / len(values)) / 1000.0


def pct_ms(values, p):
    x = sorted(values)
    if not x:
        return 0.0
    rank = (p / 100.0) * (len(x) - 1)
    lo, hi = int(rank), int(rank) if rank == int(rank) else int(rank) + 1
    if lo == hi:
        return x[lo] / 1000.0
    return x[lo] / 1000.0 + ((x[hi] - x[lo]) * (rank - lo)) / 1000.0


def log(msg):
    quoted = msg.replace("\\", "\\\\").replace('"', '\\"')
    sys.stderr.write('time="2026-01-01T00:00:00Z" level=debug msg="%s"\n' % quoted)


def main(argv):
    mode = os.environ.get("FAKE_BLIS_BREAK", "none")
    min_requests = int(os.environ.get("FAKE_BLIS_BREAK_MIN_REQUESTS", "1"))
    if argv[:1] != ["replay"]:
        sys.stderr.write("fake blis: only 'replay' is supported\n")
        return 2
    alpha = [float(v) for v in flag(argv, "--alpha-coeffs", "0,0,0").split(",")]
    beta = [float(v) for v in flag(argv, "--beta-coeffs", "0,0,0,0,0,0,1000").split(",")]
    step = max(1, int(beta[-1]))
    queue_delay, overhead, otp = int(alpha[0]), int(alpha[1]), int(alpha[2])
    with open(flag(argv, "--trace-data")) as f:
        rows = list(csv.DictReader(f))
    broken = mode != "none" and len(rows) >= min_requests
    if broken and mode == "crash":
        sys.stderr.write("panic: fake crash\n")
        return 3
    if broken and mode == "hang":
        time.sleep(600)

    log("[cluster] PD disaggregation disabled")
    reqs, clock, steps = [], 0, []
    for row in sorted(rows, key=lambda r: int(r["arrival_time_us"])):
        rid = "request_" + row["request_id"]
        arrival = int(row["arrival_time_us"])
        L = int(row["input_tokens"]) + int(row["prefix_length"] or 0)
        N = max(1, int(row["output_tokens"]))
        queued = arrival + queue_delay
        start = max(queued, clock)
        if broken and mode == "overlap" and reqs and start == clock and step >= 2:
            start = clock - 1  # starts inside the previous request's final step (O1's shape)
        log("[cluster] req %s arrived at tick %d" % (rid, arrival))
        log("[cluster] req %s \u2192 instance instance_0 (reason=round-robin)" % rid)
        log("[tick %07d] Executing *sim.QueuedEvent" % queued)
        log("<< Queued: %s at %d ticks" % (rid, queued))
        t, itls, ttft = start, [], None
        for k in range(N):
            s = t
            log("[tick %07d] Executing *sim.StepEvent" % s)
            log("<< StepEvent at %d ticks" % s)
            a, b = (0, L) if k == 0 else (L + k - 1, L + k)
            log("AllocateBlock for ReqID: %s, Num Inputs: %d, startIndex = %d, endIndex = %d"
                % (rid, L, a, b))
            e = s + step
            if k == 0:
                ttft = e + otp - arrival
            else:
                itls.append(e - t + otp)
            t = e
            if k == N - 1:  # as BLIS: the final token's KV, then the completion, in the step
                e2e = ttft + sum(itls) + overhead
                if broken and mode == "early-e2e":
                    e2e = t - arrival - 1
                if N > 1:
                    log("AllocateBlock for ReqID: %s, Num Inputs: %d, startIndex = %d, "
                        "endIndex = %d" % (rid, L, L + N - 1, L + N))
                log("Finished req: ID: %s at time: %d" % (rid, arrival + e2e))
            if k == 0:
                log("[tick %07d] Executing *sim.ScheduledEvent" % s)
                log("<< Schedule: %s at %d ticks" % (rid, s))
        log("[tick %07d] Executing *sim.RequestLeftEvent" % t)
        log("<< RequestLeft: %s at %d ticks" % (rid, t))
        clock = t
        reqs.append(dict(id=rid, arrival=arrival, L=L, N=N, ttft=ttft, e2e=e2e, itls=itls,
                         sched=start - arrival))

    sim_ended = clock
    all_itls = [v for r in reqs for v in r["itls"]]
    block = {
        "completed_requests": len(reqs), "still_queued": 0, "still_running": 0,
        "injected_requests": len(reqs),
        "total_input_tokens": sum(r["L"] for r in reqs),
        "total_output_tokens": sum(r["N"] for r in reqs),
        "vllm_estimated_duration_s": sim_ended / 1e6,
        "responses_per_sec": len(reqs) / (sim_ended / 1e6) if sim_ended else 0,
        "tokens_per_sec": sum(r["N"] for r in reqs) / (sim_ended / 1e6) if sim_ended else 0,
        "e2e_mean_ms": mean_ms([r["e2e"] for r in reqs]),
        "e2e_p90_ms": pct_ms([r["e2e"] for r in reqs], 90),
        "e2e_p95_ms": pct_ms([r["e2e"] for r in reqs], 95),
        "e2e_p99_ms": pct_ms([r["e2e"] for r in reqs], 99),
        "ttft_mean_ms": mean_ms([r["ttft"] for r in reqs]),
        "ttft_p90_ms": pct_ms([r["ttft"] for r in reqs], 90),
        "ttft_p95_ms": pct_ms([r["ttft"] for r in reqs], 95),
        "ttft_p99_ms": pct_ms([r["ttft"] for r in reqs], 99),
        "itl_mean_ms": mean_ms(all_itls),
        "itl_p90_ms": pct_ms(all_itls, 90), "itl_p95_ms": pct_ms(all_itls, 95),
        "itl_p99_ms": pct_ms(all_itls, 99),
        "scheduling_delay_p99_ms": pct_ms([r["sched"] for r in reqs], 99),
        "preemption_count": 0, "dropped_unservable": 0, "length_capped_requests": 0,
        "timed_out_requests": 0,
    }
    num_instances = int(flag(argv, "--num-instances", "1"))
    out = []
    for i in range(num_instances):
        b = dict(block) if i == 0 else {k: (0 if not isinstance(v, float) else 0.0)
                                        for k, v in block.items()}
        out.append("=== Simulation Metrics ===\n" +
                   json.dumps(dict({"instance_id": "instance_%d" % i}, **b), indent=2))
    out.append("=== Simulation Metrics ===\n" +
               json.dumps(dict({"instance_id": "cluster"}, **block), indent=2))
    sys.stdout.write("\n".join(out) + "\n")

    metrics = dict({"instance_id": "cluster"}, **block)
    metrics["cache_hit_rate"] = 0
    metrics["requests"] = [
        {"requestID": r["id"], "arrived_at": r["arrival"] / 1e6, "num_prefill_tokens": r["L"],
         "num_decode_tokens": r["N"], "ttft_ms": ms(r["ttft"]),
         "itl_ms": (sum(r["itls"]) / max(len(r["itls"]), 1)) / 1000.0, "e2e_ms": ms(r["e2e"]),
         "scheduling_delay_ms": ms(r["sched"]), "handled_by": "instance_0", "round_index": 0}
        for r in reqs]
    path = flag(argv, "--metrics-path")
    if path:
        with open(path, "w") as f:
            if broken and mode == "garbage":
                f.write('{"instance_id": "cluster", "completed_requests": ')
            else:
                json.dump(metrics, f, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
