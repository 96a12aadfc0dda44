#!/bin/bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# Where the receive path runs on a NIC-less host: per-CPU softirq time and where iperf3's threads
# and the loader's reader are seen, for one iperf3 run over the harness's traffic shapes.
#
#   bpf/tools/placement.sh SHAPE MODE READER_CPU SECONDS REPS >> out.jsonl
#     SHAPE       veth (one stream over a veth pair) or lo-p2 (iperf3 -P 2 over a namespace's lo)
#     MODE        off (no parser) | perf | ringbuf (bpf/build/bpfsim-loader, parser attached)
#     READER_CPU  CPU to pin the reader to (sched_setaffinity), or -1 for none
#   LOADER_EXTRA (environment, optional): more loader flags, e.g. --split-reader-cpu; the loader's own
#   JSON object is printed with each run as "loader" (null without a loader or when it printed none).
#   SAMPLE=0 (environment, optional): no `ps` sampling of where threads run (its processes, ten a
#   second, compete with the reader on a small host); the seen-by-CPU shares are then null and the
#   line says "psSampled": false.
#   WAKE_TO_RUN=1 (environment, optional): run bpftrace tools/wake-to-run.bt (SECONDS - 1 s) beside
#   iperf3 and print its histogram of the reader's wakeup-to-run waits as "wakeToRun" (needs bpftrace).
#   PREEMPT_STALLS=1 (environment, optional): the same with tools/preempt-stalls.bt, the reader's waits
#   when it is switched out while runnable, as "preemptStalls".
#
# veth_xmit and loopback_xmit hand each skb to __netif_rx onto the *sending* CPU's backlog, so the
# receive softirq runs wherever the scheduler has put the sender. This prints, per run, each CPU's
# share of the softirq time (/proc/stat, tick-sampled), the share of 100 ms samples of `ps -L psr`
# (the CPU a thread last ran on) per CPU for iperf3 and for the loader, the share of all CPU time the
# hypervisor stole (other guests on the host: a run with much of it is not this guest's behaviour),
# and the throughput.
# Namespaces are named bpfsim-<pid>-{a,b} (src/measure/netns.ts: a later `bpfsim measure` deletes them
# if this script was killed), addressed from 198.18.0.0/15, and always deleted with whatever runs in
# them. Root; each run bounded by SECONDS.
set -u
SHAPE=${1:?shape}; MODE=${2:?mode}; RCPU=${3:?reader cpu}; DUR=${4:?seconds}; REPS=${5:-1}
HERE=$(cd "$(dirname "$0")/.." && pwd)
LOADER="$HERE/build/bpfsim-loader"
A=bpfsim-$$-a; B=bpfsim-$$-b
TMP=$(mktemp -d)
endns() { for ns in "$@"; do ip netns pids "$ns" 2>/dev/null | xargs -r kill -9 2>/dev/null; ip netns del "$ns" 2>/dev/null; done; }
cleanup() { [ -n "${LPID:-}" ] && kill "$LPID" 2>/dev/null; endns $A $B; rm -rf "$TMP"; }
trap cleanup EXIT INT TERM
case "$SHAPE" in veth|lo-p2) ;; *) echo "placement.sh: SHAPE = $SHAPE: must be veth or lo-p2" >&2; exit 1;; esac
case "$MODE" in off|perf|ringbuf) ;; *) echo "placement.sh: MODE = $MODE: must be off, perf or ringbuf" >&2; exit 1;; esac
[[ "$DUR" =~ ^[0-9]+$ ]] && [ "$DUR" -ge 2 ] && [ "$DUR" -le 30 ] || { echo "placement.sh: SECONDS = $DUR: must be an integer in [2, 30]" >&2; exit 1; }
ncpu=$(nproc)
for rep in $(seq 0 $((REPS - 1))); do
  ip netns add $A; ip netns add $B
  ip link add pa netns $A type veth peer name pb netns $B
  ip -n $A addr add 198.18.0.1/30 dev pa; ip -n $A link set pa up; ip -n $A link set lo up
  ip -n $B addr add 198.18.0.2/30 dev pb; ip -n $B link set pb up; ip -n $B link set lo up
  if [ "$SHAPE" = veth ]; then SNS=$B; ADDR=198.18.0.2; IFACES="--iface pa@$A:host --iface pb@$B"; P=1
  else SNS=$A; ADDR=127.0.0.1; IFACES="--iface lo@$A"; P=2; fi
  ip netns exec $SNS iperf3 -s -1 -p 5299 >/dev/null 2>&1 &
  sleep 0.5
  LPID=""
  if [ "$MODE" != off ]; then
    RARG=""; [ "$RCPU" != "-1" ] && RARG="--reader-cpu $RCPU"
    # shellcheck disable=SC2086
    "$LOADER" $IFACES --mode "$MODE" $RARG ${LOADER_EXTRA:-} --duration $((DUR + 2)) > "$TMP/loader.json" 2>/dev/null &
    LPID=$!
    sleep 1
  fi
  s0=$(grep '^cpu[0-9]' /proc/stat)
  ip netns exec $A iperf3 -c $ADDR -p 5299 -P $P -t "$DUR" -J > "$TMP/iperf.json" 2>/dev/null &
  IPID=$!
  : > "$TMP/psr"; : > "$TMP/w2r.json"
  WPID=""
  if [ "${WAKE_TO_RUN:-0}" = 1 ]; then
    bpftrace -f json "$HERE/tools/wake-to-run.bt" $((DUR - 1)) > "$TMP/w2r.json" 2>/dev/null &
    WPID=$!
  fi
  : > "$TMP/ps.json"
  if [ "${PREEMPT_STALLS:-0}" = 1 ]; then
    bpftrace -f json "$HERE/tools/preempt-stalls.bt" $((DUR - 1)) > "$TMP/ps.json" 2>/dev/null &
    WPID="$WPID $!"
  fi
  sleep 0.3
  if [ "${SAMPLE:-1}" != 0 ]; then
    for _ in $(seq 1 $((DUR * 10 - 5))); do
      ps -L -o psr=,comm= -C iperf3 | sed 's/^ */iperf3 /' | awk '{print $1, $2}' >> "$TMP/psr"
      [ -n "$LPID" ] && ps -L -o psr= -p "$LPID" | awk '{print "loader", $1}' >> "$TMP/psr"
      sleep 0.1
    done
  fi
  wait $IPID
  # shellcheck disable=SC2086
  [ -n "$WPID" ] && wait $WPID 2>/dev/null
  s1=$(grep '^cpu[0-9]' /proc/stat)
  [ -n "$LPID" ] && wait "$LPID" 2>/dev/null
  python3 - "$SHAPE" "$MODE" "$RCPU" "$rep" "$ncpu" "$s0" "$s1" "$TMP" "${SAMPLE:-1}" "${WAKE_TO_RUN:-0}" "$DUR" "${PREEMPT_STALLS:-0}" <<'PY'
import json, sys
shape, mode, rcpu, rep, ncpu, s0, s1, tmp, sampled, w2r, dur, pstalls = sys.argv[1:]
sampled = sampled != "0"
def bpftrace_output(path):
    # bpftrace -f json: one object per printed map; {name: data} for hist, stats and map lines
    out = {}
    try: lines = open(path).read().splitlines()
    except Exception: return out
    for line in lines:
        try: o = json.loads(line)
        except Exception: continue
        if o.get("type") in ("hist", "stats", "map"): out.update(o.get("data") or {})
    return out
def buckets(h): return [[b.get("min", 0), b.get("max", -1), b["count"]] for b in h or []]
def wake_to_run():
    m = bpftrace_output(f"{tmp}/w2r.json"); st = m.get("@wake_stats") or {}
    if not st.get("count"): return None
    return {"traceSeconds": int(dur) - 1, "histUs": buckets(m.get("@wake_us")), "count": st["count"], "meanUs": st["average"],
            "longN": m.get("@long_n", 0), "longAfter": m.get("@long_after", {})}
def preempt_stalls():
    m = bpftrace_output(f"{tmp}/ps.json"); st = m.get("@stall_stats") or {}
    if not m.get("@n") or "average" not in st: return None
    return {"traceSeconds": int(dur) - 1, "stalls": m["@n"], "meanUs": st["average"], "totalUs": st["total"],
            "histUs": buckets(m.get("@stall_us")), "preemptedBy": m.get("@preempted_by", {})}
def parse(s): return {l.split()[0]: [int(x) for x in l.split()[1:9]] for l in s.splitlines()}
a, b = parse(s0), parse(s1)
cpus = sorted(a, key=lambda k: int(k[3:]))
soft = [b[c][6] - a[c][6] for c in cpus]
tot = [sum(b[c]) - sum(a[c]) for c in cpus]
seen = {"iperf3": [0] * int(ncpu), "loader": [0] * int(ncpu)}
for line in open(f"{tmp}/psr"):
    who, cpu = line.split()
    if cpu.isdigit() and int(cpu) < int(ncpu): seen[who][int(cpu)] += 1
def shares(v):
    s = sum(v)
    return [round(x / s, 3) for x in v] if s else None
try:
    j = json.load(open(f"{tmp}/iperf.json")); gbps = round(j["end"]["sum_received"]["bits_per_second"] / 1e9, 3)
except Exception: gbps = None
try: loader = json.load(open(f"{tmp}/loader.json")) if mode != "off" else None
except Exception: loader = None
print(json.dumps({"shape": shape, "mode": mode, "readerCpu": int(rcpu), "rep": int(rep), "gbps": gbps,
  "softirqShareByCpu": shares(soft), "softirqOfCpuTime": [round(s / t, 3) if t else None for s, t in zip(soft, tot)],
  "stealOfCpuTime": round(sum(b[c][7] - a[c][7] for c in cpus) / sum(tot), 3) if sum(tot) else None,
  "iperf3SeenByCpu": shares(seen["iperf3"]) if sampled else None,
  "readerSeenByCpu": shares(seen["loader"]) if mode != "off" and sampled else None,
  **({} if sampled else {"psSampled": False}),
  **({"wakeToRun": wake_to_run() if mode != "off" else None} if w2r == "1" else {}),
  **({"preemptStalls": preempt_stalls() if mode != "off" else None} if pstalls == "1" else {}),
  "loader": loader}))
PY
  endns $A $B
done
