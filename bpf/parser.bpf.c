// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * parser.bpf.c - bpfsim's TC-BPF packet parser: four programs, one per hook (endpoint_/host_
 * ingress/egress), attached as clsact filters on a pod-side veth (endpoint hooks) and a host-side
 * device (host hooks), like the four hooks in the seed study. Observability only: always
 * returns TC_ACT_OK.
 *
 * Per packet it parses Ethernet, IPv4/IPv6 (no extension headers), TCP/UDP, the 9 TCP flag
 * bits, seq/ack and the RFC 7323 timestamp option (bounded walk of the options with bpf_loop),
 * updates a
 * per-flow byte/packet counter in an LRU hash, and, 1 packet in `sample_every`, emits the
 * 120-byte struct bpfsim_record (record.h) through one of:
 *   - a BPF_MAP_TYPE_PERF_EVENT_ARRAY via bpf_perf_event_output(BPF_F_CURRENT_CPU): the
 *     record goes into this CPU's perf ring; the kernel wakes the reader according to the
 *     perf event's wakeup_events / wakeup_watermark (kernel/events/ring_buffer.c,
 *     perf_output_begin/perf_output_put_handle -> irq_work),
 *   - a BPF_MAP_TYPE_RINGBUF via bpf_ringbuf_output: reservation under rb->spinlock, lockless
 *     commit, and a wakeup (irq_work) only when the consumer had caught up, unless the flags
 *     say BPF_RB_NO_WAKEUP / BPF_RB_FORCE_WAKEUP (Documentation/bpf/ringbuf.rst,
 *     kernel/bpf/ringbuf.c: __bpf_ringbuf_reserve, bpf_ringbuf_commit),
 *   - nothing (BPFSIM_OUT_NONE) for baselines.
 * The choice is a `const volatile` rodata value the loader sets before load, so the verifier
 * prunes the other branches. Per-CPU counters of seen/emitted/failed live in a PERCPU_ARRAY.
 * Headers are read with bpf_skb_load_bytes so non-linear skbs parse too.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "record.h"

#define TC_ACT_OK 0
#define ETH_P_IP 0x0800
#define ETH_P_IPV6 0x86DD
#define ETH_HLEN 14
#define TCPOPT_EOL 0
#define TCPOPT_NOP 1
#define TCPOPT_TIMESTAMP 8

/* Configuration, set by the loader in the skeleton's rodata before load. */
const volatile __u32 output_mode = BPFSIM_OUT_NONE;
const volatile __u32 sample_every = 1;
const volatile __u32 rb_wakeup_policy = BPFSIM_RB_WAKEUP_DEFAULT;
const volatile __u32 rb_force_every = 64;
/*
 * Injected delay: every program run spins this many ns (bpf_ktime_get_ns) before it does
 * anything else, whatever the output mode, so `--mode none --burn-ns N` adds N ns of softirq
 * (or sender-context) work per packet and hook and nothing else. 0 (default): no spin.
 */
const volatile __u64 burn_ns = 0;

struct {
	__uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u32));
} events_perf SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 8 << 20); /* the loader resizes it (--ringbuf-bytes) */
} events_ringbuf SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct bpfsim_counters);
} counters SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 65536);
	__type(key, struct bpfsim_flow_key);
	__type(value, struct bpfsim_flow_val);
} flows SEC(".maps");

static __always_inline __u32 be32_at(const __u8 *p)
{
	return ((__u32)p[0] << 24) | ((__u32)p[1] << 16) | ((__u32)p[2] << 8) | (__u32)p[3];
}

struct tcpopt_walk {
	__u8 opts[64];
	__u32 i;
	__u32 optlen;
	__u32 tsval;
	__u32 tsecr;
	__u32 found;
};

/*
 * One step of the TCP option walk, run by bpf_loop (kernel >= 5.17): the verifier checks
 * this callback once instead of every unrolled path. Returns 1 to stop.
 */
static long tcpopt_step(__u32 index, struct tcpopt_walk *w)
{
	__u32 i = w->i;
	__u8 kind, len;

	if (i >= w->optlen || i >= 40)
		return 1;
	kind = w->opts[i & 0x3f];
	if (kind == TCPOPT_EOL)
		return 1;
	if (kind == TCPOPT_NOP) {
		w->i = i + 1;
		return 0;
	}
	if (i + 1 >= w->optlen)
		return 1;
	len = w->opts[(i + 1) & 0x3f];
	if (len < 2)
		return 1;
	if (kind == TCPOPT_TIMESTAMP && len == 10 && i + 10 <= w->optlen) {
		__u32 p = i + 2; /* <= 32 since i + 10 <= optlen <= 40 */

		if (p > 32)
			return 1;
		w->tsval = be32_at(&w->opts[p]);
		w->tsecr = be32_at(&w->opts[p + 4]);
		w->found = 1;
		return 1;
	}
	w->i = i + len;
	return 0;
}

/* Walks the TCP options (at most 40 bytes) looking for kind 8 (timestamps), length 10. */
static __always_inline void parse_tcp_options(struct __sk_buff *skb, __u32 off, __u32 optlen,
					      struct bpfsim_record *rec)
{
	struct tcpopt_walk w = {};

	if (optlen == 0 || optlen > 40)
		return;
	if (bpf_skb_load_bytes(skb, off, w.opts, optlen & 0x3f) < 0)
		return;
	w.optlen = optlen;
	bpf_loop(40, tcpopt_step, &w, 0); /* at most 40 one-byte options */
	if (w.found) {
		rec->tsval = w.tsval;
		rec->tsecr = w.tsecr;
		rec->has_tsopt = 1;
	}
}

static __always_inline void account_flow(struct bpfsim_record *rec)
{
	struct bpfsim_flow_key key = {};
	struct bpfsim_flow_val *val, init = { .bytes = rec->pkt_len, .packets = 1 };

	__builtin_memcpy(key.saddr, rec->saddr, 16);
	__builtin_memcpy(key.daddr, rec->daddr, 16);
	key.sport = rec->sport;
	key.dport = rec->dport;
	key.l4_proto = rec->l4_proto;

	val = bpf_map_lookup_elem(&flows, &key);
	if (val) {
		rec->flow_bytes = __sync_fetch_and_add(&val->bytes, rec->pkt_len) + rec->pkt_len;
		rec->flow_packets = __sync_fetch_and_add(&val->packets, 1) + 1;
		return;
	}
	bpf_map_update_elem(&flows, &key, &init, BPF_NOEXIST);
	rec->flow_bytes = rec->pkt_len;
	rec->flow_packets = 1;
}

/* Returns 0 when the packet parsed as IPv4/IPv6; fills rec. */
static __always_inline int parse_packet(struct __sk_buff *skb, struct bpfsim_record *rec)
{
	__u32 off = ETH_HLEN, l4_off;
	__u16 proto = bpf_ntohs(skb->protocol);

	if (proto == ETH_P_IP) {
		struct iphdr iph;

		if (bpf_skb_load_bytes(skb, off, &iph, sizeof(iph)) < 0)
			return -1;
		rec->ip_version = 4;
		rec->l4_proto = iph.protocol;
		rec->ttl = iph.ttl;
		rec->saddr[10] = 0xff;
		rec->saddr[11] = 0xff;
		rec->daddr[10] = 0xff;
		rec->daddr[11] = 0xff;
		__builtin_memcpy(&rec->saddr[12], &iph.saddr, 4);
		__builtin_memcpy(&rec->daddr[12], &iph.daddr, 4);
		if (iph.frag_off & bpf_htons(0x1fff)) /* non-first fragment: no L4 header */
			return 0;
		l4_off = off + (iph.ihl & 0xf) * 4;
	} else if (proto == ETH_P_IPV6) {
		struct ipv6hdr ip6h;

		if (bpf_skb_load_bytes(skb, off, &ip6h, sizeof(ip6h)) < 0)
			return -1;
		rec->ip_version = 6;
		rec->l4_proto = ip6h.nexthdr;
		rec->ttl = ip6h.hop_limit;
		__builtin_memcpy(rec->saddr, &ip6h.saddr, 16);
		__builtin_memcpy(rec->daddr, &ip6h.daddr, 16);
		l4_off = off + sizeof(ip6h);
	} else {
		return -1;
	}

	if (rec->l4_proto == IPPROTO_TCP) {
		__u8 th[20];

		if (bpf_skb_load_bytes(skb, l4_off, th, sizeof(th)) < 0)
			return 0;
		rec->sport = ((__u16)th[0] << 8) | th[1];
		rec->dport = ((__u16)th[2] << 8) | th[3];
		rec->seq = be32_at(&th[4]);
		rec->ack_seq = be32_at(&th[8]);
		/* byte 12: data offset (4 bits), reserved (3), NS; byte 13: CWR..FIN */
		rec->tcp_flags = (__u16)th[13] | ((__u16)(th[12] & 1) << 8);
		rec->window = ((__u16)th[14] << 8) | th[15];
		__u32 doff = (th[12] >> 4) * 4;
		if (doff > 20)
			parse_tcp_options(skb, l4_off + 20, doff - 20, rec);
	} else if (rec->l4_proto == IPPROTO_UDP) {
		__u8 uh[4];

		if (bpf_skb_load_bytes(skb, l4_off, uh, sizeof(uh)) < 0)
			return 0;
		rec->sport = ((__u16)uh[0] << 8) | uh[1];
		rec->dport = ((__u16)uh[2] << 8) | uh[3];
	}
	return 0;
}

/* One bpf_loop step of the burn: stop once the clock has passed the deadline. */
static long burn_step(__u32 index, __u64 *deadline)
{
	return bpf_ktime_get_ns() >= *deadline ? 1 : 0;
}

/*
 * Spins until burn_ns have passed since entry. bpf_loop's bound (1 << 23 steps) is far above
 * what 1 ms (the loader's maximum) takes at the ~20-50 ns a bpf_ktime_get_ns call costs, so the
 * deadline, not the bound, ends the loop.
 */
static __always_inline void burn(void)
{
	__u64 deadline;

	if (burn_ns == 0)
		return;
	deadline = bpf_ktime_get_ns() + burn_ns;
	bpf_loop(1 << 23, burn_step, &deadline, 0);
}

static __always_inline int handle(struct __sk_buff *skb, __u8 obs_point)
{
	struct bpfsim_record rec = {};
	struct bpfsim_counters *cnt;
	__u32 zero = 0;
	__u64 seen;
	long err;

	burn();
	cnt = bpf_map_lookup_elem(&counters, &zero);
	if (!cnt)
		return TC_ACT_OK;
	seen = ++cnt->seen; /* per-CPU entry: no atomics needed */

	if (parse_packet(skb, &rec) < 0)
		return TC_ACT_OK;

	rec.ts_ns = bpf_ktime_get_ns();
	rec.direction = obs_point & 1; /* BPFSIM_OBS_*: odd = egress */
	rec.obs_point = obs_point;
	rec.ifindex = skb->ifindex;
	rec.pkt_len = skb->len;
	rec.cpu = bpf_get_smp_processor_id();
	rec.cpu_seq = seen;
	account_flow(&rec);

	if (output_mode == BPFSIM_OUT_NONE)
		return TC_ACT_OK;
	if (sample_every > 1 && (seen % sample_every) != 0)
		return TC_ACT_OK;

	if (output_mode == BPFSIM_OUT_PERF) {
		err = bpf_perf_event_output(skb, &events_perf, BPF_F_CURRENT_CPU, &rec, sizeof(rec));
	} else {
		__u64 flags = 0;

		if (rb_wakeup_policy == BPFSIM_RB_WAKEUP_NO_FORCE_EVERY) {
			if (++cnt->since_wakeup >= rb_force_every) {
				cnt->since_wakeup = 0;
				flags = BPF_RB_FORCE_WAKEUP;
			} else {
				flags = BPF_RB_NO_WAKEUP;
			}
		}
		err = bpf_ringbuf_output(&events_ringbuf, &rec, sizeof(rec), flags);
	}
	if (err)
		cnt->failed++;
	else
		cnt->emitted++;
	return TC_ACT_OK;
}

/*
 * Four programs with the same code, as in the seed's packetparser: the loader attaches the
 * endpoint pair on a pod-side veth and the host pair on a host-side device.
 */
SEC("tc")
int endpoint_ingress(struct __sk_buff *skb)
{
	return handle(skb, BPFSIM_OBS_ENDPOINT_INGRESS);
}

SEC("tc")
int endpoint_egress(struct __sk_buff *skb)
{
	return handle(skb, BPFSIM_OBS_ENDPOINT_EGRESS);
}

SEC("tc")
int host_ingress(struct __sk_buff *skb)
{
	return handle(skb, BPFSIM_OBS_HOST_INGRESS);
}

SEC("tc")
int host_egress(struct __sk_buff *skb)
{
	return handle(skb, BPFSIM_OBS_HOST_EGRESS);
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
