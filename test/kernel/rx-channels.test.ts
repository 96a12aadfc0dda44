import { describe, expect, it } from "vitest";
import { genericRssQueues, rxChannelCount } from "../../src/kernel/rx-channels.ts";
import { parseKernel } from "../../src/kernel/version.ts";
import { loadHardware } from "../../src/models/load.ts";
import type { HardwareProfile } from "../../src/models/types.ts";

const k = (v: string) => parseKernel(v)!;
const node = (vcpus: number, nic: HardwareProfile["nic"], threadsPerCore = 1): HardwareProfile => ({
  ...loadHardware("azure-d32s-v5"),
  vcpus,
  threadsPerCore,
  nic,
});

describe("rxChannelCount: each driver's default channel count at each kernel", () => {
  it("netvsc: VRSS_CHANNEL_DEFAULT 8 before v6.12; from v6.12 max(16, half the cores), the channel column of the netvsc patch's table (M7)", () => {
    // M7 ('net: netvsc: Update default VMBus channels'): vCPUs -> channels 16->16, 32->16, 48->24, 64->32, 96->48
    const m7: [number, number][] = [
      [16, 16],
      [32, 16],
      [48, 24],
      [64, 32],
      [96, 48],
    ];
    for (const [vcpus, channels] of m7) {
      expect(rxChannelCount(node(vcpus, { driver: "netvsc", bandwidthGbps: 10 }), k("6.12")).channels).toBe(channels);
      expect(rxChannelCount(node(vcpus, { driver: "netvsc", bandwidthGbps: 10 }), k("5.15")).channels).toBe(8);
    }
    expect(rxChannelCount(node(4, { driver: "netvsc", bandwidthGbps: 10 }), k("5.15")).channels).toBe(4);
  });
  it("the generic default: min(8, CPUs) before v6.0, half the physical cores from v6.0", () => {
    expect(genericRssQueues(k("5.15"), 32, 2)).toBe(8);
    expect(genericRssQueues(k("5.15"), 4, 2)).toBe(4);
    expect(genericRssQueues(k("6.8"), 32, 2)).toBe(8);
    expect(genericRssQueues(k("6.8"), 64, 2)).toBe(16);
    expect(genericRssQueues(k("6.8"), 16, 1)).toBe(8);
  });
  it("mlx5 without a documented device maximum is an assumption, said so; with one it is min(vCPUs, maximum)", () => {
    const assumed = rxChannelCount(node(32, { driver: "mlx5", bandwidthGbps: 16 }, 2), k("5.15"));
    expect(assumed).toMatchObject({ channels: 8, documented: false });
    expect(assumed.rule).toMatch(/undocumented/);
    expect(rxChannelCount(node(32, { driver: "mlx5", deviceMaxChannels: 63, bandwidthGbps: 16 }), k("5.15"))).toMatchObject({ channels: 32, documented: true });
  });
  it("mana: 16 from v7.1, all vPort queues before", () => {
    expect(rxChannelCount(node(64, { driver: "mana", bandwidthGbps: 30 }), k("7.1")).channels).toBe(16);
    expect(rxChannelCount(node(64, { driver: "mana", deviceMaxChannels: 64, bandwidthGbps: 30 }), k("6.8")).channels).toBe(64);
  });
  it("a fixed rxQueues or an ethtool -L override wins, capped at the vCPUs", () => {
    expect(rxChannelCount(node(32, { rxQueues: 12, bandwidthGbps: 16 }), null).channels).toBe(12);
    expect(rxChannelCount(node(32, { driver: "mlx5", bandwidthGbps: 16 }), k("5.15"), 64).channels).toBe(32);
  });
  it("every shipped Azure shape resolves to a channel count within [1, vCPUs]", () => {
    for (const name of ["azure-d4s-v5", "azure-d8s-v5", "azure-d16s-v5", "azure-d32s-v5", "azure-d48s-v5", "azure-d64s-v5", "azure-d96s-v5"]) {
      const hw = loadHardware(name);
      const c = rxChannelCount(hw, parseKernel(hw.kernel!)).channels;
      expect(c).toBeGreaterThanOrEqual(1);
      expect(c).toBeLessThanOrEqual(hw.vcpus);
    }
  });
});

describe("parseKernel", () => {
  it("reads major.minor and ignores the rest; refuses what is not a release", () => {
    expect(parseKernel("6.8.0-1021-azure")).toMatchObject({ major: 6, minor: 8 });
    expect(parseKernel("5.15")).toMatchObject({ major: 5, minor: 15 });
    for (const bad of ["", "six", "6", "1.2", "6.x"]) expect(parseKernel(bad)).toBeNull();
  });
});
