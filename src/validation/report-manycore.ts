/**
 * The validation report's section on the many-core mechanisms: which ones the model has (each
 * calibrated on its own table), the field study's unknowns with the band they leave on every
 * counted row, and the ablation that names the mechanism carrying each row. Markdown only; the
 * numbers come from reproduce.ts (band: true, ablate: true).
 */
import { EVENTPOLL_LOCK, GO_RUNTIME } from "../models/mechanisms.ts";
import { IDLE_P_PROBE_NS } from "../agent/go-runtime.ts";
import { MECHANISMS } from "../node/mechanisms.ts";
import type { ReproduceResult } from "./reproduce.ts";
import type { Settled, Unknown } from "./unknowns.ts";
import { f, mdTable } from "./markdown.ts";

const label = (key: string) => key.split("|")[1].replace(/\s*\(.*\)$/, "");

export function manyCoreSection(rep: ReproduceResult, unknowns: Unknown[], settled: Settled[] = []): string {
  const out: string[] = ["### Many-core mechanisms, the study's unknowns and the ablation", ""];
  const ep = EVENTPOLL_LOCK.fit.eras;
  const go = GO_RUNTIME.schedLockContention;
  out.push(
    "Each mechanism lives in its own file and is calibrated on its own published table or documented rule, never on a seed row:",
    "",
    mdTable(
      ["mechanism", "file", "calibrated on", "constants"],
      [
        [
          "RX channel pool (driver default by kernel)",
          "src/kernel/rx-channels.ts",
          "driver sources; netvsc's channel table (M7) in a test",
          "netvsc 8 (< v6.12) / max(16, cores/2); generic min(8, CPUs) (< v6.0) / cores/2; mana 16 (>= v7.1)",
        ],
        [
          "softirq budget and ksoftirqd takeover (v4.9-v6.4)",
          "src/kernel/softirq.ts",
          "kernel/softirq.c rules (commits 4cd13c21b207, d15121be7485)",
          "share 1 / (1 + threads x application busy share); NIC ring 1024 + backlog 1000 skbs",
        ],
        [
          "epoll wakeup chain's lock, ttwu's idle-CPU search, IPI under the lock",
          "src/kernel/eventpoll.ts, src/kernel/scheduler.ts",
          "stress-epoll tables M1, M2 (machine-repairman fit)",
          Object.entries(ep)
            .map(([k, v]) => `${k}: S ${f(v.holdNs, 0)} ns (rel. RMS ${f(100 * v.relRms, 0)}%)`)
            .join("; "),
        ],
        [
          "Go runtime sized by GOMAXPROCS (version rule, the scheduler's search skipping idle Ps, sched.lock contention)",
          "src/agent/go-runtime.ts",
          "golang/go#67585 table (M4); runtime/proc.go stealWork",
          `share(P) = exp(${f(go.a, 3)} + ${f(go.b, 4)} P); ${IDLE_P_PROBE_NS} ns per idle P per pass, a line per busy P`,
        ],
        ["reader's scan of every ring per wakeup", "src/node/agent-buffer.ts", "cilium/ebpf perf/reader.go", "one line transfer per ring"],
        ["VM exits on IPIs and irq_work", "src/kernel/virtualisation.ts", "hardware profiles (vmExitNs, ipiNs)", "per hardware profile"],
        [
          "the receive path's interrupt time on the reader's CPU, billed to the reader without IRQ time accounting",
          "src/agent/epoll-reader.ts, src/node/throughput.ts cpuSoftirqShare",
          "kernel/sched/core.c update_rq_clock_task; checked on our host's reader CPU and losses under a 0.25-CPU limit (section 2)",
          "none of its own: the solver's inline softirq share; hardware irqTimeAccounting",
        ],
        [
          "TCP's window response: a window-limited receiver's round trips lengthened by the hooks' work (a scenario option, Workload.windowLimited; not applied to the study's rows)",
          "src/node/simulate.ts windowCap",
          "our window-capped iperf3 runs (iperf3 -w, next section; compared, nothing fitted)",
          "none of its own: 1/T = 1/T0 + h/flows, h the model's hook ns per byte",
        ],
      ],
    ),
    "",
    "Left out, with the reason: TCP's window response on the study's rows (measured and modelled on our host for a window-limited receiver, next section, but the study states neither its receiver's windows nor its flows, so its rows keep CPU-bound receivers) and TCP's loss response to drops, Go's GC idle mark workers (their CPU depends on the agent's allocation rate and heap, which nothing states), the M3/M9 Go tables (not used as tests: the model has neither the spinning Ms of M9's ping-pong, where Ms never park, nor the GC idle workers and spinning that burn M3's quota, and neither table gives what their CPU depends on), RPS/RFS.",
    "",
  );
  const defaults = unknowns.map((u) => `${u.name} = ${u.default === null ? "the profile's value" : u.default} (range ${u.values.join(", ")})`).join("; ");
  out.push(
    `**The study's unknowns** (\`models/unknowns/field-study.json\`, each with its sources): ${defaults}. Every counted row is run at the defaults, then with each unknown at each value of its range, the others at their defaults; the band is the lowest and highest overhead seen. Unknowns that each raise the overhead a little can raise it more together, so the joint band adds two corners: every unknown at the value that raised the row's overhead most on its own (left at its default where none did), all at once, and likewise for the lowest; the corners are listed under the table. It is epistemic uncertainty, kept apart from the replication interval, and no value in it was set from the study's numbers.`,
    "",
  );
  if (settled.length > 0) {
    out.push(
      `Not unknowns, though the study does not state them, because its own evidence settles them: ${settled.map((x) => `${x.name} = ${x.value} (${x.why})`).join("; ")}`,
      "",
    );
  }
  if (rep.band !== undefined) {
    const us = [...new Set(Object.values(rep.band).flatMap((b) => Object.keys(b.byUnknown)))];
    out.push(
      mdTable(
        ["row", "published %", "at defaults %", "band %", "published inside", "joint band %", "inside joint", ...us],
        Object.entries(rep.band).map(([k, b]) => [
          label(k),
          f(b.published),
          f(b.atDefaults),
          `${f(b.low)} – ${f(b.high)}`,
          b.covers ? "yes" : "no",
          `${f(b.joint.low)} – ${f(b.joint.high)}`,
          b.joint.covers ? "yes" : "no",
          ...us.map((u) => (b.byUnknown[u] ?? []).map((x) => `${x.value}: ${f(x.overheadPct)}`).join("; ")),
        ]),
      ),
      "",
      "Joint corners (the unknowns set together; those not named stay at their defaults):",
      "",
      ...Object.entries(rep.band).map(([k, b]) => `- ${label(k)}: highest at ${cornerText(b.joint.highAt)}; lowest at ${cornerText(b.joint.lowAt)}.`),
      "",
    );
    const inside = Object.values(rep.band).filter((b) => b.covers).length;
    const insideJoint = Object.values(rep.band).filter((b) => b.joint.covers).length;
    out.push(`${inside} of ${Object.keys(rep.band).length} published rows lie inside their one-at-a-time band, ${insideJoint} inside their joint band.`, "");
  }
  if (rep.ablation !== undefined) {
    const a = rep.ablation;
    out.push(
      "**Ablation**: each counted row with one mechanism switched off (`bpfsim reproduce --ablate`); in brackets the change from all on. A large drop names the mechanism that carries the row.",
      "",
      mdTable(
        ["row", "all on", ...a.mechanisms.map((m) => `without ${m}`)],
        Object.entries(a.rows).map(([k, v]) => [
          label(k),
          f(v.all),
          ...a.mechanisms.map((m) => `${f(v.without[m])} (${v.without[m] - v.all >= 0 ? "+" : ""}${f(v.without[m] - v.all)})`),
        ]),
      ),
      "",
    );
    // which mechanism carries the 16 -> 32-core change, and the rows
    const key = (re: RegExp) => Object.keys(a.rows).find((k) => re.test(k));
    const k16 = key(/\|16 cores/);
    const k32 = key(/\|32 cores/);
    if (k16 !== undefined && k32 !== undefined) {
      const jump = a.rows[k32].all - a.rows[k16].all;
      const carried = a.mechanisms
        .map((m) => ({ m, share: jump - (a.rows[k32].without[m] - a.rows[k16].without[m]) }))
        .sort((x, y) => Math.abs(y.share) - Math.abs(x.share));
      out.push(
        `From 16 to 32 cores the predicted overhead changes by ${jump >= 0 ? "+" : ""}${f(jump)} pp. Switching each mechanism off changes that step by: ${carried.map((c) => `${c.m} ${c.share >= 0 ? "+" : ""}${f(c.share)} pp`).join(", ")}.`,
        "",
      );
    }
    for (const [k, v] of Object.entries(a.rows)) {
      const top = a.mechanisms.map((m) => ({ m, d: v.all - v.without[m] })).sort((x, y) => y.d - x.d)[0];
      if (top !== undefined && top.d > 1) out.push(`- ${label(k)}: ${f(v.all)}%, carried mostly by ${MECHANISMS[top.m]} (${f(top.d)} pp without it).`);
    }
    out.push("");
  }
  return out.join("\n");
}

/** "kernel 6.6, rxChannels 8", or "the defaults" when no unknown moved. */
function cornerText(at: Record<string, string | number | boolean>): string {
  const e = Object.entries(at);
  return e.length === 0 ? "the defaults" : e.map(([k, v]) => `${k} ${v}`).join(", ");
}
