/**
 * The shipped profiles of `models/`, imported statically so that a bundler (Vite, for the notebooks)
 * can put them in a browser page: no node: imports here, unlike load.ts.
 *
 * The files are the ones load.ts reads; test/models/bundled.test.ts checks that this list is exactly
 * the files in each `models/<kind>/` folder and that every entry equals what loadProfile returns
 * (which validates it against its schema), so the two cannot drift. Add a profile: add its file and
 * one import line below.
 */
import type { ProfileKind } from "./paths.ts";
import type { CalibrationFile, HardwareProfile, Placement, ToolProfile, Workload } from "./types.ts";
import hardware_aws_m7i_48xlarge from "../../models/hardware/aws-m7i-48xlarge.json" with { type: "json" };
import hardware_azure_d16s_v5 from "../../models/hardware/azure-d16s-v5.json" with { type: "json" };
import hardware_azure_d32s_v5 from "../../models/hardware/azure-d32s-v5.json" with { type: "json" };
import hardware_azure_d48s_v5 from "../../models/hardware/azure-d48s-v5.json" with { type: "json" };
import hardware_azure_d4s_v5 from "../../models/hardware/azure-d4s-v5.json" with { type: "json" };
import hardware_azure_d64s_v5 from "../../models/hardware/azure-d64s-v5.json" with { type: "json" };
import hardware_azure_d8s_v5 from "../../models/hardware/azure-d8s-v5.json" with { type: "json" };
import hardware_azure_d96s_v5 from "../../models/hardware/azure-d96s-v5.json" with { type: "json" };
import hardware_bench_epyc_9654 from "../../models/hardware/bench-epyc-9654.json" with { type: "json" };
import hardware_bench_kunpeng_920 from "../../models/hardware/bench-kunpeng-920.json" with { type: "json" };
import hardware_bench_ryzen_7950x from "../../models/hardware/bench-ryzen-7950x.json" with { type: "json" };
import hardware_bench_sapphire_rapids from "../../models/hardware/bench-sapphire-rapids.json" with { type: "json" };
import hardware_dev_kvm_2vcpu from "../../models/hardware/dev-kvm-2vcpu.json" with { type: "json" };
import tool_falco from "../../models/tools/falco.json" with { type: "json" };
import tool_harness_perf from "../../models/tools/harness-perf.json" with { type: "json" };
import tool_harness_ringbuf from "../../models/tools/harness-ringbuf.json" with { type: "json" };
import tool_hubble_perf from "../../models/tools/hubble-perf.json" with { type: "json" };
import tool_retina_perf from "../../models/tools/retina-perf.json" with { type: "json" };
import tool_retina_ringbuf from "../../models/tools/retina-ringbuf.json" with { type: "json" };
import tool_tetragon from "../../models/tools/tetragon.json" with { type: "json" };
import placement_limited from "../../models/placements/limited.json" with { type: "json" };
import placement_pinned from "../../models/placements/pinned.json" with { type: "json" };
import placement_unlimited from "../../models/placements/unlimited.json" with { type: "json" };
import workload_iperf3_lo_p2 from "../../models/workloads/iperf3-lo-p2.json" with { type: "json" };
import workload_iperf3_veth from "../../models/workloads/iperf3-veth.json" with { type: "json" };
import workload_iperf3_veth_w16k from "../../models/workloads/iperf3-veth-w16k.json" with { type: "json" };
import workload_offered_10g from "../../models/workloads/offered-10g.json" with { type: "json" };
import workload_tcp_receiver_bursty from "../../models/workloads/tcp-receiver-bursty.json" with { type: "json" };
import workload_tcp_receiver_saturating from "../../models/workloads/tcp-receiver-saturating.json" with { type: "json" };
import calibration_kvm_2vcpu_amd_epyc from "../../models/calibration/kvm-2vcpu-amd-epyc.json" with { type: "json" };
import calibration_literature from "../../models/calibration/literature.json" with { type: "json" };

/** The TypeScript type each kind of profile has (as in load.ts, without its node: imports). */
export interface BundledTypes {
  hardware: HardwareProfile;
  tool: ToolProfile;
  placement: Placement;
  workload: Workload;
  calibration: CalibrationFile;
}

/** Every shipped profile, by kind and name (the file stem). */
export const BUNDLED: { readonly [K in ProfileKind]: Readonly<Record<string, BundledTypes[K]>> } = {
  hardware: {
    "aws-m7i-48xlarge": hardware_aws_m7i_48xlarge as unknown as HardwareProfile,
    "azure-d16s-v5": hardware_azure_d16s_v5 as unknown as HardwareProfile,
    "azure-d32s-v5": hardware_azure_d32s_v5 as unknown as HardwareProfile,
    "azure-d48s-v5": hardware_azure_d48s_v5 as unknown as HardwareProfile,
    "azure-d4s-v5": hardware_azure_d4s_v5 as unknown as HardwareProfile,
    "azure-d64s-v5": hardware_azure_d64s_v5 as unknown as HardwareProfile,
    "azure-d8s-v5": hardware_azure_d8s_v5 as unknown as HardwareProfile,
    "azure-d96s-v5": hardware_azure_d96s_v5 as unknown as HardwareProfile,
    "bench-epyc-9654": hardware_bench_epyc_9654 as unknown as HardwareProfile,
    "bench-kunpeng-920": hardware_bench_kunpeng_920 as unknown as HardwareProfile,
    "bench-ryzen-7950x": hardware_bench_ryzen_7950x as unknown as HardwareProfile,
    "bench-sapphire-rapids": hardware_bench_sapphire_rapids as unknown as HardwareProfile,
    "dev-kvm-2vcpu": hardware_dev_kvm_2vcpu as unknown as HardwareProfile,
  },
  tool: {
    falco: tool_falco as unknown as ToolProfile,
    "harness-perf": tool_harness_perf as unknown as ToolProfile,
    "harness-ringbuf": tool_harness_ringbuf as unknown as ToolProfile,
    "hubble-perf": tool_hubble_perf as unknown as ToolProfile,
    "retina-perf": tool_retina_perf as unknown as ToolProfile,
    "retina-ringbuf": tool_retina_ringbuf as unknown as ToolProfile,
    tetragon: tool_tetragon as unknown as ToolProfile,
  },
  placement: {
    limited: placement_limited as unknown as Placement,
    pinned: placement_pinned as unknown as Placement,
    unlimited: placement_unlimited as unknown as Placement,
  },
  workload: {
    "iperf3-lo-p2": workload_iperf3_lo_p2 as unknown as Workload,
    "iperf3-veth": workload_iperf3_veth as unknown as Workload,
    "iperf3-veth-w16k": workload_iperf3_veth_w16k as unknown as Workload,
    "offered-10g": workload_offered_10g as unknown as Workload,
    "tcp-receiver-bursty": workload_tcp_receiver_bursty as unknown as Workload,
    "tcp-receiver-saturating": workload_tcp_receiver_saturating as unknown as Workload,
  },
  calibration: {
    "kvm-2vcpu-amd-epyc": calibration_kvm_2vcpu_amd_epyc as unknown as CalibrationFile,
    literature: calibration_literature as unknown as CalibrationFile,
  },
};

/** Names of the bundled profiles of a kind, sorted (like listProfiles). */
export function bundledNames(kind: ProfileKind): string[] {
  return Object.keys(BUNDLED[kind]).sort();
}

/**
 * A deep copy of one bundled profile, so that a caller may change it.
 * @throws RangeError for an unknown name, listing the available ones.
 */
export function bundledProfile<K extends ProfileKind>(kind: K, name: string): BundledTypes[K] {
  const profile = (BUNDLED[kind] as Record<string, BundledTypes[K]>)[name];
  if (profile === undefined) {
    throw new RangeError(`bundledProfile: unknown ${kind} profile "${name}"; available: ${bundledNames(kind).join(", ")}`);
  }
  return structuredClone(profile);
}
