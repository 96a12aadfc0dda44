/**
 * How many receive channels (RX queues with their own interrupt and NAPI context) a NIC opens by
 * default: the size of the pool of CPUs that run every received packet's softirq work, TC hooks
 * included. A node with more vCPUs than channels concentrates all of that work on a fixed subset
 * of its CPUs, whatever its size.
 *
 * Rules, by driver and kernel (each overridable per scenario, as `ethtool -L` would):
 * - netvsc (Hyper-V synthetic NIC, drivers/net/hyperv): VRSS_CHANNEL_DEFAULT = 8 subchannels
 *   (hyperv_net.h, v4.x to v6.11), so min(vCPUs, 8). Commit 646f071d315b "net: netvsc: Update
 *   default VMBus channels" (Erni Sri Satya Vennela, 2024; in v6.12, backported by some
 *   distributions) makes it max(16, netif_get_num_default_rss_queues()), at most the vCPUs and
 *   VRSS_CHANNEL_MAX (64).
 * - netif_get_num_default_rss_queues() (net/core/dev.c), the generic default: min(8, online CPUs)
 *   (DEFAULT_MAX_NUM_RSS_QUEUES) before v6.0; from v6.0 ("net: set default rss queues num to
 *   physical cores / 2", Inigo Huguet, 2022) half the physical cores, at least 1.
 * - mana (Microsoft Azure Network Adapter): all the queues the vPort offers (min(vCPUs, device
 *   maximum)) until MANA_DEF_NUM_QUEUES = 16 (Long Li, net-next 2026-03, taken here as v7.1).
 * - mlx5 (ConnectX VF under Azure Accelerated Networking, or bare metal): one channel per
 *   completion vector, min(vCPUs, the device's maximum). How many vectors Azure grants a VF is not
 *   documented: without `deviceMaxChannels` the count is an assumption (the generic default above),
 *   and the result says so (`documented: false`).
 * - ena, virtio_net: min(vCPUs, the device's maximum queue pairs).
 * Left out: RPS/RFS (steering softirq work to other CPUs, off by default), aRFS, XPS.
 */
import type { HardwareProfile } from "../models/types.ts";
import { atLeast, type KernelVersion } from "./version.ts";

/** VRSS_CHANNEL_DEFAULT before commit 646f071d315b (drivers/net/hyperv/hyperv_net.h). */
const NETVSC_CHANNELS_OLD = 8;
/** VRSS_CHANNEL_DEFAULT after it, and VRSS_CHANNEL_MAX. */
const NETVSC_CHANNELS_NEW = 16;
const NETVSC_CHANNELS_MAX = 64;
/** DEFAULT_MAX_NUM_RSS_QUEUES (include/linux/netdevice.h, before v6.0). */
const GENERIC_RSS_MAX_OLD = 8;
/** MANA_DEF_NUM_QUEUES. */
const MANA_DEFAULT_QUEUES = 16;

export interface RxChannelCount {
  channels: number;
  /** How the count was reached, for reports. */
  rule: string;
  /** False when the count rests on an assumption (an undocumented device maximum). */
  documented: boolean;
}

/** netif_get_num_default_rss_queues() at kernel `k` on `vcpus` CPUs with `threadsPerCore` SMT threads. */
export function genericRssQueues(k: KernelVersion, vcpus: number, threadsPerCore: number): number {
  if (!atLeast(k, 6, 0)) return Math.min(GENERIC_RSS_MAX_OLD, vcpus);
  const cores = Math.max(1, Math.floor(vcpus / threadsPerCore));
  return Math.max(1, Math.floor(cores / 2));
}

/**
 * The channel count a scenario runs with: `override` (ethtool -L), else the hardware profile's
 * fixed `nic.rxQueues`, else the driver's default at kernel `k`.
 */
export function rxChannelCount(hw: HardwareProfile, k: KernelVersion | null, override?: number): RxChannelCount {
  const n = hw.vcpus;
  if (override !== undefined) return { channels: Math.min(n, override), rule: `set to ${override} (ethtool -L)`, documented: true };
  if (hw.nic.rxQueues !== undefined) {
    return { channels: Math.min(n, hw.nic.rxQueues), rule: `fixed by the hardware profile (${hw.nic.rxQueues})`, documented: true };
  }
  const driver = hw.nic.driver;
  if (driver === undefined || k === null) {
    throw new RangeError(`rxChannelCount: hardware ${hw.name} gives neither nic.rxQueues nor nic.driver and kernel`);
  }
  const tpc = hw.threadsPerCore ?? 1;
  const generic = genericRssQueues(k, n, tpc);
  const max = hw.nic.deviceMaxChannels;
  switch (driver) {
    case "netvsc": {
      if (!atLeast(k, 6, 12))
        return { channels: Math.min(n, NETVSC_CHANNELS_OLD), rule: `netvsc before v6.12: min(vCPUs, ${NETVSC_CHANNELS_OLD})`, documented: true };
      const c = Math.min(n, NETVSC_CHANNELS_MAX, Math.max(NETVSC_CHANNELS_NEW, generic));
      return { channels: c, rule: `netvsc from v6.12: min(vCPUs, max(${NETVSC_CHANNELS_NEW}, ${generic}))`, documented: true };
    }
    case "mana": {
      if (atLeast(k, 7, 1)) return { channels: Math.min(n, MANA_DEFAULT_QUEUES), rule: `mana from v7.1: min(vCPUs, ${MANA_DEFAULT_QUEUES})`, documented: true };
      if (max === undefined) return { channels: n, rule: "mana before v7.1: all vPort queues (device maximum not given: one per vCPU)", documented: false };
      return { channels: Math.min(n, max), rule: `mana before v7.1: min(vCPUs, device maximum ${max})`, documented: true };
    }
    case "mlx5":
    case "ena":
    case "virtio_net": {
      if (max !== undefined) return { channels: Math.min(n, max), rule: `${driver}: min(vCPUs, device maximum ${max})`, documented: true };
      return {
        channels: generic,
        rule: `${driver}: device maximum undocumented; assumed the kernel's generic default netif_get_num_default_rss_queues() at ${k.text} = ${generic}`,
        documented: false,
      };
    }
  }
}
