/**
 * End-to-end check of bpf/: builds the parser and loader, attaches them on a veth pair in two
 * fresh namespaces (host_* hooks on side a, endpoint_* on side b), sends a known set of frames
 * with bpf/tools/pktsend (AF_PACKET on side a), and checks every record field, in both output
 * modes; then checks that no namespace, clsact qdisc, loader state file or cgroup is left.
 * Needs root, clang, bpftool, make, iproute2 and a kernel with BTF and BPF (>= 5.17 for
 * bpf_loop); otherwise it is skipped with the reason.
 */
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listBpfsimCgroups } from "../../src/measure/cgroup.ts";
import { run, runOk } from "../../src/measure/exec.ts";
import { buildBpf, LOADER_PATH, parseLoaderOutput, PKTSEND_PATH, runTestRun, startLive } from "../../src/measure/loader.ts";
import { createVethPair, deleteVethPair, listNamespaces, pairNames } from "../../src/measure/netns.ts";

function skipReason(): string | undefined {
  if (process.platform !== "linux") return "not Linux";
  if (process.getuid?.() !== 0) return "not root";
  for (const cmd of ["clang", "bpftool", "make", "cc", "ip"]) {
    const r = spawnSync("sh", ["-c", `command -v ${cmd} || test -x /usr/sbin/${cmd}`]);
    if (r.status !== 0) return `${cmd} not installed`;
  }
  if (!existsSync("/sys/kernel/btf/vmlinux")) return "kernel without BTF (/sys/kernel/btf/vmlinux)";
  return undefined;
}
const SKIP = skipReason();
if (SKIP) console.warn(`bpf integration test skipped: ${SKIP}`);

/** Frames sent: pktsend spec line and the fields every record of it must carry. */
interface Pkt {
  spec: string;
  v: 4 | 6;
  saddr: string;
  daddr: string;
  proto: 6 | 17;
  sport: number;
  dport: number;
  flags: number;
  seq: number;
  ack: number;
  tsval?: number;
  tsecr: number;
  payload: number;
  ttl: number;
}

function pkt(
  v: 4 | 6,
  saddr: string,
  daddr: string,
  proto: "tcp" | "udp",
  sport: number,
  dport: number,
  flags: number,
  seq: number,
  ack: number,
  tsval: number | undefined,
  tsecr: number,
  payload: number,
  ttl: number,
): Pkt {
  const spec = `${v} ${saddr} ${daddr} ${proto} ${sport} ${dport} ${flags} ${seq} ${ack} ${tsval ?? "-"} ${tsecr} ${payload} ${ttl}`;
  return { spec, v, saddr, daddr, proto: proto === "tcp" ? 6 : 17, sport, dport, flags, seq, ack, tsval, tsecr, payload, ttl };
}

const A = "198.18.0.1";
const B = "198.18.0.2";
const PACKETS: Pkt[] = [
  pkt(4, A, B, "tcp", 40001, 5201, 0x002, 1000, 0, 111, 0, 0, 64), // SYN with MSS, SACK_PERM, TS, NOP, WS
  pkt(4, B, A, "tcp", 5201, 40001, 0x012, 5000, 1001, 222, 111, 0, 63), // SYN|ACK
  pkt(4, A, B, "tcp", 40001, 5201, 0x018, 1001, 5001, 333, 222, 100, 64), // PSH|ACK, NOP NOP TS
  pkt(4, A, B, "tcp", 40001, 5201, 0x011, 1101, 5001, undefined, 0, 0, 64), // FIN|ACK, no options
  pkt(4, A, B, "tcp", 40001, 5201, 0x004, 1102, 0, undefined, 0, 0, 64), // RST
  pkt(4, A, B, "tcp", 40001, 5201, 0x1ff, 4294967295, 4294967294, 4294967293, 4294967292, 10, 1), // all 9 flags, extreme values
  pkt(4, A, B, "tcp", 40001, 5201, 0x0e0, 7, 8, 9, 10, 0, 64), // URG|ECE|CWR
  pkt(6, "fd00::1", "fd00::2", "tcp", 40002, 443, 0x002, 7, 0, 444, 0, 0, 55), // IPv6 SYN
  pkt(4, A, B, "udp", 5353, 53, 0, 0, 0, undefined, 0, 20, 64), // UDP
];

function frameLen(p: Pkt): number {
  const l3 = p.v === 6 ? 40 : 20;
  const opts = p.proto === 6 && p.tsval !== undefined ? (p.flags & 2 ? 20 : 12) : 0;
  const l4 = p.proto === 6 ? 20 + opts : 8;
  return Math.max(60, 14 + l3 + l4 + p.payload);
}

type Rec = Record<string, number | string>;

async function ifindex(ns: string, dev: string): Promise<number> {
  const out = await runOk("ip", ["-n", ns, "-j", "link", "show", "dev", dev]);
  return (JSON.parse(out) as { ifindex: number }[])[0]!.ifindex;
}

describe.skipIf(SKIP !== undefined)(`TC parser on a veth pair${SKIP ? ` (skipped: ${SKIP})` : ""}`, () => {
  const pair = pairNames("bpfsimt", process.pid);

  beforeAll(async () => {
    await buildBpf();
  }, 180_000);

  afterAll(async () => {
    await deleteVethPair(pair);
  });

  for (const mode of ["perf", "ringbuf"] as const) {
    it(`parses every field exactly (${mode})`, async (ctx) => {
      await createVethPair(pair, { disableIpv6: true });
      try {
        const live = startLive({ mode, perfPages: 8, ringbufBytes: 1 << 16 }, [`${pair.ifA}@${pair.nsA}:host`, `${pair.ifB}@${pair.nsB}`], 30, {
          dump: 200,
          splitReaderCpu: true,
          deliveryLatency: true,
        });
        try {
          await live.attached;
        } catch (e) {
          const r = await live.started.done;
          if (r.code === 2) {
            console.warn(`bpf integration test skipped: ${r.stderr.trim()}`);
            ctx.skip();
          }
          throw e;
        }
        const sent = await runOk("ip", ["netns", "exec", pair.nsA, PKTSEND_PATH, pair.ifA], { input: PACKETS.map((p) => `${p.spec}\n`).join("") });
        expect(Number(sent.trim())).toBe(PACKETS.length);
        await new Promise((r) => setTimeout(r, 300));
        // While attached: our clsact qdiscs exist.
        expect((await runOk("ip", ["netns", "exec", pair.nsA, "tc", "qdisc", "show", "dev", pair.ifA])).includes("clsact")).toBe(true);
        live.started.stop();
        const res = await live.started.done;
        expect(res.code).toBe(0);
        const report = parseLoaderOutput(res.stdout);

        // The loader removed its filters and the qdiscs it created, and its state file.
        for (const [ns, dev] of [
          [pair.nsA, pair.ifA],
          [pair.nsB, pair.ifB],
        ] as const) {
          expect(await runOk("ip", ["netns", "exec", ns, "tc", "qdisc", "show", "dev", dev])).not.toContain("clsact");
        }
        expect(existsSync("/run/bpfsim") ? readdirSync("/run/bpfsim").filter((f) => f.includes(String(live.started.pid))) : []).toEqual([]);

        const ours = (report.dump as Rec[])
          .filter((r) => PACKETS.some((p) => p.sport === r.sport && p.dport === r.dport && p.proto === r.l4_proto))
          .sort((x, y) => Number(x.ts_ns) - Number(y.ts_ns));
        expect(ours).toHaveLength(2 * PACKETS.length);
        expect(report.lost).toBe(0);
        expect(report.failed).toBe(0);
        expect(report.records).toBeGreaterThanOrEqual(2 * PACKETS.length);
        // the reader's time, and getrusage's user / system split of it (tick-sampled, so it may lag
        // the thread clock by a tick or two, never lead it by more)
        for (const k of ["reader_cpu_s", "reader_user_s", "reader_sys_s"]) expect(report[k], k).toBeGreaterThanOrEqual(0);
        expect(Number(report.reader_user_s) + Number(report.reader_sys_s)).toBeLessThanOrEqual(Number(report.reader_cpu_s) + 0.05);
        // --split-reader-cpu: the epoll part and the walk are parts of the reader's clock, and the
        // polls that read records read at least one each
        expect(Number(report.reader_wait_cpu_s)).toBeGreaterThan(0);
        expect(Number(report.reader_drain_cpu_s)).toBeGreaterThan(0);
        expect(Number(report.reader_wait_cpu_s) + Number(report.reader_drain_cpu_s)).toBeLessThanOrEqual(Number(report.reader_cpu_s) + 1e-3);
        expect(Number(report.polls_with_records)).toBeGreaterThanOrEqual(1);
        expect(Number(report.polls_with_records)).toBeLessThanOrEqual(Math.min(Number(report.polls), Number(report.records)));
        // --delivery-latency: every record read is in the histogram, each poll that read one has a first
        // record, and the quantiles are ordered (the records waited from their hook to the callback)
        const lat = report.delivery_us as Record<string, number>;
        expect(lat.n).toBe(Number(report.records));
        // (the final drain after the last poll may read records too, with one more first record)
        expect(lat.first_n).toBeGreaterThanOrEqual(Number(report.polls_with_records));
        expect(lat.first_n).toBeLessThanOrEqual(Number(report.polls_with_records) + 1);
        expect(lat.p50).toBeGreaterThan(0);
        expect(lat.p50).toBeLessThanOrEqual(lat.p90);
        expect(lat.p90).toBeLessThanOrEqual(lat.p99);
        expect(lat.first_p50).toBeLessThanOrEqual(lat.first_p99);
        expect(lat.max_us).toBe(4095);

        const idxA = await ifindex(pair.nsA, pair.ifA);
        const idxB = await ifindex(pair.nsB, pair.ifB);
        const flows = new Map<string, { bytes: number; packets: number }>();
        ours.forEach((r, i) => {
          const p = PACKETS[i >> 1]!;
          const host = i % 2 === 0; // host egress on a, then endpoint ingress on b
          const len = frameLen(p);
          const key = `${p.saddr}|${p.daddr}|${p.sport}|${p.dport}|${p.proto}`;
          const f = flows.get(key) ?? { bytes: 0, packets: 0 };
          f.bytes += len;
          f.packets += 1;
          flows.set(key, f);
          const tcp = p.proto === 6;
          expect(r, `record ${i} (${p.spec})`).toMatchObject({
            saddr: p.saddr,
            daddr: p.daddr,
            sport: p.sport,
            dport: p.dport,
            ip_version: p.v,
            l4_proto: p.proto,
            direction: host ? 1 : 0,
            obs_point: host ? 3 : 0,
            ifindex: host ? idxA : idxB,
            tcp_flags: tcp ? p.flags : 0,
            seq: tcp ? p.seq : 0,
            ack_seq: tcp ? p.ack : 0,
            has_tsopt: p.tsval !== undefined ? 1 : 0,
            tsval: p.tsval ?? 0,
            tsecr: p.tsval !== undefined ? p.tsecr : 0,
            ttl: p.ttl,
            window: tcp ? 64240 : 0,
            pkt_len: len,
            flow_bytes: f.bytes,
            flow_packets: f.packets,
          });
        });
      } finally {
        await deleteVethPair(pair);
      }
      expect((await listNamespaces()).filter((n) => n.startsWith(`bpfsimt-${process.pid}-`))).toEqual([]);
      expect(listBpfsimCgroups()).toEqual([]);
      const left = await run("sh", ["-c", "ip -o link show | grep -c ' bs[0-9]*[ab]' || true"]);
      expect(left.stdout.trim()).toBe("0");
    }, 120_000);
  }
});

describe.skipIf(SKIP !== undefined)(`the parser's injected delay (--burn-ns)${SKIP ? ` (skipped: ${SKIP})` : ""}`, () => {
  beforeAll(async () => {
    await buildBpf();
  }, 180_000);

  it("adds at least the burn to every program run, in mode none, and reports it", async () => {
    const burn = 5000;
    const base = await runTestRun({ mode: "none" }, { producers: 1, repeat: 20_000, consumer: false });
    const spun = await runTestRun({ mode: "none", burnNs: burn }, { producers: 1, repeat: 20_000, consumer: false });
    expect(base.burn_ns).toBe(0);
    expect(spun.burn_ns).toBe(burn);
    const extra = Number(spun.ns_per_run_mean) - Number(base.ns_per_run_mean);
    // The spin ends at the first clock read past the deadline: never less than the burn; more only
    // by a clock read and by other tenants' preemption (generous bound on a shared machine).
    expect(Number(spun.ns_per_run_mean)).toBeGreaterThanOrEqual(burn);
    expect(extra).toBeLessThan(2 * burn);
  }, 60_000);

  it("refuses a burn outside 0..1000000 ns, naming the flag and the value", async () => {
    for (const bad of ["1000001", "-5", "1e3"]) {
      const r = await run(LOADER_PATH, ["--test-run", "--burn-ns", bad]);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`'${bad}' for --burn-ns`);
    }
  });
});
