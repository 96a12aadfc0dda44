/**
 * Types of the data files under `models/` (hardware, tools, placements, workloads, calibration).
 *
 * These interfaces are the contract between the JSON files (checked by the JSON Schemas in
 * `models/schema/`) and the node model in `src/node/`. Units are in the field names
 * (`Ns` nanoseconds, `Gbps` gigabits per second, `Bytes`), so a value never needs a comment to be read.
 * Every profile carries `sources`: where its figures come from.
 */

/** Where a figure comes from: a public document, a kernel source line, or one of our own measurements. */
export interface Source {
  /** What the source supports, e.g. "NIC queue count". */
  what: string;
  /** URL, kernel file:function, or `validation/data/<file>` for our own measurements. */
  ref: string;
}

/** A node shape (a cloud VM size or a bare-metal host). */
export interface HardwareProfile {
  name: string;
  description: string;
  vcpus: number;
  /** True for a VM: IPIs and irq_work self-interrupts then cost VM exits. */
  virtualised: boolean;
  /** NUMA nodes visible to the OS; vCPUs are split evenly and contiguously across them. */
  numaNodes: number;
  /** vCPUs sharing one last-level cache (a core complex / CCX, or a whole socket on Intel). */
  cpusPerLlc: number;
  /** Cost of moving one modified cache line between two CPUs, by distance. */
  cacheLineTransferNs: { sameLlc: number; crossLlc: number; crossNuma: number };
  /**
   * Memory load latency, local and remote NUMA node. Recorded for reference: the node model prices
   * NUMA distance through cacheLineTransferNs (records are read from the producer's cache), not yet
   * through memory loads of evicted ring pages.
   */
  memoryLatencyNs: { local: number; remote: number };
  /** Cost of one VM exit and re-entry (0 on bare metal). */
  vmExitNs: number;
  /** Sending an inter-processor interrupt and taking it on the target, without VM exits. */
  ipiNs: number;
  /**
   * Kernel release of the node's OS image ("5.15", "6.8"): decides the NIC driver's default channel
   * count, whether a saturated receive CPU defers to ksoftirqd, the epoll lock and the idle-CPU
   * search (src/kernel/*). Required unless `nic.rxQueues` fixes the channels.
   */
  kernel?: string;
  /** SMT threads per physical core (vCPUs per core). @defaultValue 1 */
  threadsPerCore?: number;
  /**
   * CONFIG_IRQ_TIME_ACCOUNTING of the node's kernel: with it, hard and soft interrupt time is taken
   * out of the running task's clock (kernel/sched/core.c update_rq_clock_task); without it, the
   * interrupt time taken while a task runs is that task's runtime, in its CPU usage (getrusage,
   * cgroup cpu.stat) and out of its CFS quota. @defaultValue false (the option's Kconfig default)
   */
  irqTimeAccounting?: boolean;
  /**
   * For the profile of a machine our own measurements come from: the host class its datasets and
   * calibration carry (measure/host.ts), which ties a calibration to the exit cost in its constants.
   */
  hostClass?: string;
  nic: {
    /**
     * Receive channels, fixed (as `ethtool -L` sets them); omitted: the driver's default at the
     * node's kernel (src/kernel/rx-channels.ts). RSS spreads flows over them.
     */
    rxQueues?: number;
    /** Driver of the receive path's NIC; required unless rxQueues is given. */
    driver?: "netvsc" | "mana" | "mlx5" | "ena" | "virtio_net";
    /** The device's maximum channels; omitted where it is not documented. */
    deviceMaxChannels?: number;
    /**
     * No NIC: traffic goes over veth or loopback, whose xmit hands each skb to `__netif_rx` onto the
     * sending CPU's backlog, so the receive softirq runs wherever the scheduler has put the sending
     * task, and the sender and the receiving thread move between the node's CPUs. A reader pinned by
     * affinity alone (a non-exclusive pin) then shares its CPU with each of those roles in turn: the
     * node model, which keeps each role on one CPU, lets such a reader's CPU move among them as an
     * unpinned one does (node-run.ts). @defaultValue false (a NIC's queues are served by fixed CPUs)
     */
    receiveFollowsSender?: boolean;
    /** Bandwidth the provider allows the shape, Gb/s. */
    bandwidthGbps: number;
  };
  sources: Source[];
}

/** Per-CPU perf event array settings (BPF_MAP_TYPE_PERF_EVENT_ARRAY read through perf_buffer / cilium perf.Reader). */
export interface PerfBufferSettings {
  kind: "perf";
  /** Data pages per CPU ring (a power of two); the page size is 4096 bytes. */
  pagesPerCpu: number;
  /** perf_event_attr.wakeup_events: wake the reader every N records. Exclusive with watermarkBytes. */
  wakeupEvents?: number;
  /** perf_event_attr.wakeup_watermark: wake when this many bytes are unread. Exclusive with wakeupEvents. */
  watermarkBytes?: number;
}

/** BPF ring buffer settings (BPF_MAP_TYPE_RINGBUF). */
export interface RingbufSettings {
  kind: "ringbuf";
  /** Size of one ring in bytes (a power of two, multiple of the page size). */
  bytes: number;
  /** One ring per group of this many CPUs (Falco shards this way); omitted: one ring for the node. */
  cpusPerRing?: number;
  /** Notification policy of bpf_ringbuf_output/submit flags. */
  wakeup: "default" | "no_wakeup" | { forceEvery: number };
}

/** An observability agent: its BPF programs, how records reach user space, and its reader. */
export interface ToolProfile {
  name: string;
  description: string;
  buffer: PerfBufferSettings | RingbufSettings;
  /** Raw sample size the BPF program emits per record (bytes, before the buffer's own header). */
  recordBytes: number;
  /** TC hooks a received data packet crosses, and an outgoing ACK crosses (e.g. host + endpoint = 2). */
  hooksPerPacket: { ingress: number; egress: number };
  /** Relative cost of the BPF program against our own parser in bpf/ (1 = same instruction count). */
  programCostFactor: number;
  /** Emit 1 record in N packets (1 = every packet). */
  sampling: number;
  reader: {
    /** On each wakeup, check every ring (cilium/ebpf perf.Reader) rather than only the ready ones (libbpf). */
    scanAllRings: boolean;
    /** Decoded records go through a bounded channel to worker threads; omitted: handled inline. */
    channel?: { slots: number; workers: number };
    /**
     * User-space cost to decode one record, relative to the calibrated consume cost (1 = same). With a
     * channel, the workers pay it and the reader pays the plain consume cost.
     */
    decodeCostFactor: number;
    /**
     * The reader's language runtime. "go": goroutine handoffs wake OS threads whose scheduler
     * searches every P's run queue before parking (Go runtime/proc.go `findRunnable`, `stealWork`:
     * stealTries = 4 passes over all Ps); GOMAXPROCS is the node's vCPU count ("node", Go < 1.25
     * ignores cgroup CPU limits) or derived from the CPU limit ("limit", Go >= 1.25).
     * Omitted: a native reader (C/C++), no runtime scheduler.
     */
    runtime?: {
      kind: "go";
      gomaxprocs: "node" | "limit";
      /**
       * The main module's `go` line ("1.24"). Where given it decides GOMAXPROCS instead of
       * `gomaxprocs`: Go 1.25 made the default container-aware (max(2, ceil(CPU limit))).
       */
      goVersion?: string;
    };
  };
  sources: Source[];
}

/** Where the agent's threads run and how much CPU they may use. */
export type Placement =
  | { name: string; kind: "unlimited"; description: string; sources?: Source[] }
  | { name: string; kind: "limited"; description: string; cpuLimit: number; cfsPeriodUs: number; sources?: Source[] }
  | {
      name: string;
      kind: "pinned";
      description: string;
      dedicatedCpus: number;
      /**
       * The agent's CPUs are its own (Kubernetes CPUManager static policy: the application may not
       * run there), rather than an affinity the application shares (taskset on the reader alone).
       * @defaultValue true
       */
      exclusive?: boolean;
      sources?: Source[];
    };

/** The application's traffic. */
export interface Workload {
  name: string;
  description: string;
  /**
   * "saturating": a closed-loop receiver takes all the throughput the node gives it, up to the NIC's
   * bandwidth. "offered": the application offers `offeredGbps` and the node carries what it can.
   * "observed": a closed-loop receiver was measured carrying `observedGbps` without the agent, at the
   * limit of its receive CPUs; the receive path's per-byte costs are scaled so that the baseline is
   * exactly that (the baseline is then an input, not a prediction), and the agent's costs are
   * weighed against it.
   */
  mode: "saturating" | "offered" | "observed";
  offeredGbps?: number;
  observedGbps?: number;
  /** TCP maximum segment size on the wire. */
  mssBytes: number;
  /** Mean MSS-sized segments GRO merges into one skb before the TC hooks see it. */
  groSegments: number;
  /** One ACK skb is sent for this many received skbs. */
  skbsPerAck: number;
  /** Coefficient of variation of the load across RX queues (RSS hash skew); 0 = perfectly even. */
  rssSkewCv: number;
  /**
   * Share of the kernel's per-byte receive work (calibration `softirqNsPerByte`) done in the
   * receiving thread's context (tcp_recvmsg's copy to user) rather than in softirq on the queue's
   * CPU: that part moves with the application's threads. @defaultValue 0
   */
  processContextShare?: number;
  /**
   * Share of the ACKs sent from the receiving thread's context (net/core/sock.c __release_sock
   * processing the socket backlog the softirq queued while the thread held the socket;
   * net/ipv4/tcp.c tcp_cleanup_rbuf after a read) rather than from the data's softirq on the receive
   * CPU (tcp_rcv_established -> __tcp_ack_snd_check). Those ACKs, and their TC hooks, run on the
   * receiving thread's CPU, taken as the next CPU after the flow's receive CPU (on 2 vCPUs: the
   * other one); their hook work follows the thread, like tcp_recvmsg's copy. @defaultValue 0
   */
  acksFromReceiverShare?: number;
  /** Runnable receiver threads per CPU, which share a saturated receive CPU with ksoftirqd. @defaultValue 1 */
  receiverThreadsPerCpu?: number;
  /**
   * In "saturating" and "offered" modes: the receive path's per-byte costs relative to the
   * calibration, e.g. as fitted on the measured baselines of the same node family
   * (node/family-fit.ts `fitFamily`). Ignored in "observed" mode (fitted there). @defaultValue 1
   */
  receiveCostScale?: number;
  /**
   * Multiplies the mobile per-byte work (the application's, and the receive path's process-context
   * part) on top of receiveCostScale, in every mode: a receiver whose own work per byte differs from
   * the calibration's. @defaultValue 1
   */
  mobileCostScale?: number;
  /**
   * The receiver's flows are window-limited (their receive windows, not the CPUs, set the rate):
   * without the agent they carry `gbps` in all (omitted: the node's baseline, whatever bounds it),
   * `flows` of them in parallel. The agent's hook work on a flow's path (programs, outputs, irq_work, wakeups) is
   * serial with its packets, so it lengthens every round trip: each flow's time per byte grows by
   * the agent's hook ns per byte, T = 1 / (1/gbps + h/flows) (node/simulate.ts `windowCap`),
   * whether or not a CPU is left idle. Measured on our host with iperf3 `-w` (validation/data/
   * *-injected-delay-w16k.jsonl). Omitted: the flows are not window-limited (the CPUs bound them).
   */
  windowLimited?: { gbps?: number; flows: number };
  /** Arrival process of skbs on each queue. */
  arrivals: { kind: "poisson" } | { kind: "bursty"; onMs: number; offMs: number };
  sources: Source[];
}

/** One calibrated cost constant, with where it came from. */
export interface CalibratedConstant {
  value: number;
  unit: string;
  /** "literature" (cited), "measured" (our harness), or "fitted" (optimiser over measured runs). */
  method: "literature" | "measured" | "fitted";
  source: string;
  /** For fitted constants: relative RMS residual of the fit, and the runs it used. */
  residual?: number;
  runs?: string[];
}

/** The names of every cost constant the node model reads. All in nanoseconds unless the unit says otherwise. */
export const CALIBRATION_CONSTANTS = [
  "bpfProgramNs", // one run of the parser program on one packet at one hook, without output
  "perfOutputNs", // bpf_perf_event_output of one ~120-byte sample into the local CPU's ring, cache-hot
  "ringbufOutputNs", // bpf_ringbuf_output of one sample, uncontended, excluding the spinlock hold
  "perfLostOutputNs", // bpf_perf_event_output that finds the CPU's ring full: the record is counted lost
  "ringbufLostOutputNs", // bpf_ringbuf_output whose reservation finds the ring full, excluding the spinlock hold
  "ringbufLockHoldNs", // time the rb->spinlock is held for one reservation, uncontended, cache-hot
  "irqWorkNs", // irq_work_queue + the self-interrupt + running the work item, bare metal
  "irqWorkLatencyNs", // delay between irq_work_queue and the work running on the same CPU
  "wakeupNs", // perf_event_wakeup / ringbuf notify: wake_up_all + ep_poll_callback + try_to_wake_up
  "contextSwitchNs", // one switch in or out, direct cost
  "cachePollutionNs", // refill cost the displaced task pays after the reader ran on its CPU
  "epollWaitNs", // one epoll_wait syscall that returns ready events
  "ringCheckNs", // reader reads one ring's producer position (cache-hot)
  "consumeNs", // reader handles one record (callback, copy out) and advances the consumer position
  "channelHandoffNs", // passing one record to a worker through a channel (no wakeup needed)
  "softirqNsPerSkb", // kernel receive path per skb (driver, GRO, IP, TCP), excluding per-byte work
  "softirqNsPerByte", // kernel receive path per byte
  "appNsPerByte", // application's per-byte work (copy to user, processing)
  "runqueueWaitNs", // mean wait of a woken agent thread for a CPU busy with other work before it runs
] as const;
export type CalibrationConstantName = (typeof CALIBRATION_CONSTANTS)[number];

/** The cost constants' values, read from a calibration file (node/costs.ts `costsFrom`). */
export type Costs = Record<CalibrationConstantName, number>;

/** How a calibration file was made. */
export interface CalibrationProvenance {
  /** The command that wrote the file (for a reader; nothing parses it). */
  command: string;
  date: string;
  /**
   * The datasets the file was fitted from, as repository paths (`validation/data/<file>.jsonl`):
   * `throughput` from `bpfsim calibrate --data`, `wakeups` from `--wakeup-data`, `lost` from
   * `--lost-data` (microbenchmarks only, never compared with the model's throughput). The validation
   * report compares predictions with these datasets only. Absent (files written before the field
   * existed) or empty: made from no dataset.
   */
  datasets?: CalibrationDatasets;
  host?: Record<string, unknown>;
}

/** The datasets a calibration was fitted from (CalibrationProvenance.datasets). */
export interface CalibrationDatasets {
  throughput: string[];
  wakeups: string[];
  lost?: string[];
}

/** `models/calibration/<host-class>.json` */
export interface CalibrationFile {
  hostClass: string;
  description: string;
  /** How the file was made: the command, date, datasets, host description. */
  provenance: CalibrationProvenance;
  constants: Record<CalibrationConstantName, CalibratedConstant>;
  /** Throughput runs (runId) of the dataset that the fit did not use: held out for validation. */
  heldOut?: string[];
}
