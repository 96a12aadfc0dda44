/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * record.h - the fixed 120-byte record bpfsim's TC parser emits per packet, shared by
 * parser.bpf.c (kernel side) and loader.c (user side), plus the small shared enums.
 *
 * Layout (offsets in bytes, all integers in host byte order, addresses in network order):
 *
 *   0  u64 ts_ns          bpf_ktime_get_ns() when the hook ran
 *   8  u8  saddr[16]      source address; IPv4 is stored v4-mapped (::ffff:a.b.c.d)
 *  24  u8  daddr[16]      destination address, same encoding
 *  40  u16 sport          L4 source port (0 when neither TCP nor UDP)
 *  42  u16 dport          L4 destination port
 *  44  u8  ip_version     4 or 6
 *  45  u8  l4_proto       IPPROTO_TCP (6), IPPROTO_UDP (17) or other
 *  46  u8  direction      BPFSIM_DIR_INGRESS (0) or BPFSIM_DIR_EGRESS (1)
 *  47  u8  obs_point      BPFSIM_OBS_* : endpoint/host x ingress/egress (the seed's four hooks)
 *  48  u16 tcp_flags      9 TCP flag bits, BPFSIM_TCP_* below (FIN=bit0 ... NS=bit8)
 *  50  u8  has_tsopt      1 when a TCP timestamp option (kind 8) was found
 *  51  u8  ttl            IPv4 TTL / IPv6 hop limit
 *  52  u32 ifindex        skb->ifindex
 *  56  u32 seq            TCP sequence number
 *  60  u32 ack_seq        TCP acknowledgement number
 *  64  u32 tsval          TCP TSval (RFC 7323), 0 when absent
 *  68  u32 tsecr          TCP TSecr, 0 when absent
 *  72  u32 pkt_len        skb->len (bytes at the hook; a GSO skb counts all its segments)
 *  76  u32 cpu            bpf_get_smp_processor_id()
 *  80  u64 flow_bytes     per-flow byte counter after this packet (LRU hash)
 *  88  u64 flow_packets   per-flow packet counter after this packet
 *  96  u64 cpu_seq        per-CPU count of packets this program has seen (before sampling)
 * 104  u16 window         TCP window (unscaled)
 * 106  u16 reserved0
 * 108  u32 reserved1
 * 112  u64 reserved2      keeps the record at exactly 120 bytes
 * 120  (end)
 */
#ifndef BPFSIM_RECORD_H
#define BPFSIM_RECORD_H

#define BPFSIM_RECORD_BYTES 120

enum bpfsim_output_mode { BPFSIM_OUT_NONE = 0, BPFSIM_OUT_PERF = 1, BPFSIM_OUT_RINGBUF = 2 };
enum bpfsim_rb_wakeup { BPFSIM_RB_WAKEUP_DEFAULT = 0, BPFSIM_RB_WAKEUP_NO_FORCE_EVERY = 1 };
enum bpfsim_direction { BPFSIM_DIR_INGRESS = 0, BPFSIM_DIR_EGRESS = 1 };
enum bpfsim_obs_point {
	BPFSIM_OBS_ENDPOINT_INGRESS = 0,
	BPFSIM_OBS_ENDPOINT_EGRESS = 1,
	BPFSIM_OBS_HOST_INGRESS = 2,
	BPFSIM_OBS_HOST_EGRESS = 3,
};

#define BPFSIM_TCP_FIN (1u << 0)
#define BPFSIM_TCP_SYN (1u << 1)
#define BPFSIM_TCP_RST (1u << 2)
#define BPFSIM_TCP_PSH (1u << 3)
#define BPFSIM_TCP_ACK (1u << 4)
#define BPFSIM_TCP_URG (1u << 5)
#define BPFSIM_TCP_ECE (1u << 6)
#define BPFSIM_TCP_CWR (1u << 7)
#define BPFSIM_TCP_NS  (1u << 8)

struct bpfsim_record {
	__u64 ts_ns;
	__u8 saddr[16];
	__u8 daddr[16];
	__u16 sport;
	__u16 dport;
	__u8 ip_version;
	__u8 l4_proto;
	__u8 direction;
	__u8 obs_point;
	__u16 tcp_flags;
	__u8 has_tsopt;
	__u8 ttl;
	__u32 ifindex;
	__u32 seq;
	__u32 ack_seq;
	__u32 tsval;
	__u32 tsecr;
	__u32 pkt_len;
	__u32 cpu;
	__u64 flow_bytes;
	__u64 flow_packets;
	__u64 cpu_seq;
	__u16 window;
	__u16 reserved0;
	__u32 reserved1;
	__u64 reserved2;
};

/* Per-CPU counters (BPF_MAP_TYPE_PERCPU_ARRAY, one entry). */
struct bpfsim_counters {
	__u64 seen;          /* packets the program ran on */
	__u64 emitted;       /* records the output helper accepted */
	__u64 failed;        /* output helper returned an error (ring full: the record is lost) */
	__u64 since_wakeup;  /* ringbuf NO_WAKEUP policy: records since the last FORCE_WAKEUP */
};

/* Key of the per-flow LRU hash. */
struct bpfsim_flow_key {
	__u8 saddr[16];
	__u8 daddr[16];
	__u16 sport;
	__u16 dport;
	__u8 l4_proto;
	__u8 pad[3];
};

struct bpfsim_flow_val {
	__u64 bytes;
	__u64 packets;
};

#endif /* BPFSIM_RECORD_H */
