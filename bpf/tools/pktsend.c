// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * pktsend.c - sends hand-built Ethernet frames out of one interface through an AF_PACKET
 * socket (packet(7)), for bpfsim's parser integration test. Frames leave through
 * dev_queue_xmit, so TC egress on the sending device and TC ingress on a veth peer see them.
 * The destination MAC is 02:00:00:00:00:99 (not the peer's), so the peer's IP layer drops
 * them as PACKET_OTHERHOST and no replies are generated.
 *
 * Usage: pktsend IFACE < specs, one packet per line:
 *   VER SADDR DADDR tcp|udp SPORT DPORT FLAGS SEQ ACK TSVAL|- TSECR PAYLOAD TTL
 * FLAGS is the 9-bit TCP flag value (bit 0 FIN ... bit 8 NS). With SYN set the TCP options are
 * MSS, SACK-permitted, timestamp, NOP, window scale (Linux's SYN layout); otherwise NOP NOP
 * timestamp; no options when TSVAL is '-'.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static uint16_t ip_checksum(const uint8_t *p, size_t n)
{
	uint32_t s = 0;
	for (size_t k = 0; k + 1 < n; k += 2)
		s += (p[k] << 8) | p[k + 1];
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return ~s;
}

static void put32(uint8_t *p, uint32_t v)
{
	v = htonl(v);
	memcpy(p, &v, 4);
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: pktsend IFACE < specs\n");
		return 1;
	}
	int ifindex = if_nametoindex(argv[1]);
	if (!ifindex) {
		fprintf(stderr, "pktsend: no interface %s\n", argv[1]);
		return 1;
	}
	int fd = socket(AF_PACKET, SOCK_RAW, 0);
	if (fd < 0) {
		perror("pktsend: socket");
		return 1;
	}
	char line[512];
	int sent = 0;
	while (fgets(line, sizeof(line), stdin)) {
		int ver, payload, ttl;
		char sa[64], da[64], proto[8], tsv[32];
		unsigned sport, dport, flags, tsecr;
		unsigned long seq, ack;
		if (line[0] == '#' || line[0] == '\n')
			continue;
		if (sscanf(line, "%d %63s %63s %7s %u %u %u %lu %lu %31s %u %d %d", &ver, sa, da, proto,
			   &sport, &dport, &flags, &seq, &ack, tsv, &tsecr, &payload, &ttl) != 13) {
			fprintf(stderr, "pktsend: bad spec line: %s", line);
			return 1;
		}
		uint8_t f[2048] = { 0 };
		static const uint8_t dmac[6] = { 2, 0, 0, 0, 0, 0x99 }, smac[6] = { 2, 0, 0, 0, 0, 0x42 };
		memcpy(f, dmac, 6);
		memcpy(f + 6, smac, 6);
		uint16_t ethertype = ver == 6 ? ETH_P_IPV6 : ETH_P_IP;
		f[12] = ethertype >> 8;
		f[13] = ethertype & 0xff;
		size_t l3 = 14, iphl = ver == 6 ? 40 : 20, l4 = l3 + iphl;
		int is_tcp = !strcmp(proto, "tcp");
		uint8_t opts[40];
		size_t optlen = 0;
		if (is_tcp && strcmp(tsv, "-")) {
			uint32_t tsval = strtoul(tsv, NULL, 10);
			if (flags & 2) { /* SYN: MSS, SACK_PERM, TS, NOP, WS */
				uint8_t o[20] = { 2, 4, 0x05, 0xb4, 4, 2, 8, 10, 0, 0, 0, 0, 0, 0, 0, 0, 1, 3, 3, 7 };
				put32(o + 8, tsval);
				put32(o + 12, tsecr);
				memcpy(opts, o, 20);
				optlen = 20;
			} else {
				uint8_t o[12] = { 1, 1, 8, 10 };
				put32(o + 4, tsval);
				put32(o + 8, tsecr);
				memcpy(opts, o, 12);
				optlen = 12;
			}
		}
		size_t l4hl = is_tcp ? 20 + optlen : 8;
		size_t l4len = l4hl + payload;
		uint8_t *ip = f + l3, *th = f + l4;
		if (ver == 6) {
			ip[0] = 0x60;
			ip[4] = l4len >> 8;
			ip[5] = l4len & 0xff;
			ip[6] = is_tcp ? 6 : 17;
			ip[7] = ttl;
			if (inet_pton(AF_INET6, sa, ip + 8) != 1 || inet_pton(AF_INET6, da, ip + 24) != 1) {
				fprintf(stderr, "pktsend: bad IPv6 address in: %s", line);
				return 1;
			}
		} else {
			size_t tot = 20 + l4len;
			ip[0] = 0x45;
			ip[2] = tot >> 8;
			ip[3] = tot & 0xff;
			ip[6] = 0x40;
			ip[8] = ttl;
			ip[9] = is_tcp ? 6 : 17;
			if (inet_pton(AF_INET, sa, ip + 12) != 1 || inet_pton(AF_INET, da, ip + 16) != 1) {
				fprintf(stderr, "pktsend: bad IPv4 address in: %s", line);
				return 1;
			}
			uint16_t c = ip_checksum(ip, 20);
			ip[10] = c >> 8;
			ip[11] = c & 0xff;
		}
		th[0] = sport >> 8; th[1] = sport & 0xff;
		th[2] = dport >> 8; th[3] = dport & 0xff;
		if (is_tcp) {
			put32(th + 4, seq);
			put32(th + 8, ack);
			th[12] = ((l4hl / 4) << 4) | ((flags >> 8) & 1);
			th[13] = flags & 0xff;
			th[14] = 0xfa; th[15] = 0xf0; /* window 64240 */
			memcpy(th + 20, opts, optlen);
		} else {
			th[4] = l4len >> 8;
			th[5] = l4len & 0xff;
		}
		size_t len = l4 + l4len;
		if (len < 60)
			len = 60;
		struct sockaddr_ll to = { .sll_family = AF_PACKET, .sll_ifindex = ifindex,
					  .sll_protocol = htons(ethertype), .sll_halen = 6 };
		memcpy(to.sll_addr, dmac, 6);
		if (sendto(fd, f, len, 0, (struct sockaddr *)&to, sizeof(to)) < 0) {
			perror("pktsend: sendto");
			return 1;
		}
		sent++;
	}
	printf("%d\n", sent);
	close(fd);
	return 0;
}
