// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * loader.c - bpfsim-loader: loads parser.bpf.o (through its bpftool skeleton), attaches it as
 * clsact ingress+egress filters on the named interfaces (optionally inside a named network
 * namespace), reads the records for a bounded time through libbpf's perf_buffer (per-CPU
 * perf rings, epoll) or ring_buffer (one shared ring, epoll), and prints one JSON object.
 *
 * Kernel/library behaviour relied on:
 *  - perf rings: perf_event_attr.wakeup_events / watermark+wakeup_watermark decide when the
 *    kernel wakes the reader (kernel/events/ring_buffer.c); we open them with
 *    perf_buffer__new_raw so both are settable; PERF_RECORD_LOST reports overwritten-free drops.
 *  - ring buffer: libbpf ring_buffer__poll = epoll_wait + ringbuf_process_ring (libbpf
 *    src/ringbuf.c); wakeups as in Documentation/bpf/ringbuf.rst.
 *  - tc: bpf_tc_hook_create creates the clsact qdisc (-EEXIST when it already existed);
 *    filters attached by netlink outlive this process, so we record what we created in
 *    /run/bpfsim/loader-<pid>.state and undo it on exit, on SIGINT/SIGTERM, and at the next
 *    start if this process died (kill -9, crash).
 *  - --count-wakeups loads wakeups.bpf.o (fentry on perf_event_output, perf_pending_irq,
 *    perf_event_wakeup, bpf_ringbuf_notify; raw tracepoint irq_work_entry) for the run and
 *    reports the system-wide call counts; if the kernel refuses the fentry programs, it loads
 *    the raw tracepoint alone and says why in count_wakeups_error.
 *  - BPF_PROG_TEST_RUN on a sched_cls program reports the mean duration per run in ns
 *    (net/bpf/test_run.c, bpf_test_timer); --test-run uses it as a microbenchmark.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <net/if.h>
#include <arpa/inet.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <time.h>
#include <unistd.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <linux/perf_event.h>
#include <linux/types.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "record.h"

/* --delivery-latency histogram: 1 us bins, the last one collects everything from LAT_BINS - 1 us on. */
#define LAT_BINS 4096
#include "parser.skel.h"
#include "wakeups.skel.h"

#define STATE_DIR "/run/bpfsim"
#define TC_HANDLE 0xb9f
#define TC_PRIO 0xb9f
#define MAX_IFACES 16
#define EXIT_USAGE 1
#define EXIT_ENV 2

struct iface {
	char name[IF_NAMESIZE];
	char netns[64]; /* "" = current namespace */
	bool host;      /* host_* programs instead of endpoint_* */
	int ifindex;
	bool created_qdisc;
	bool attached;
};

static struct config {
	struct iface ifaces[MAX_IFACES];
	int n_ifaces;
	int mode;
	int perf_pages;
	int wakeup_events;
	int watermark;
	long ringbuf_bytes;
	int rb_policy;
	int rb_force_every;
	int sample;
	long burn_ns;
	int reader_cpu;
	double duration;
	int poll_timeout_ms;
	int dump;
	bool test_run;
	int producers;
	long repeat;
	bool consumer;
	bool count_wakeups;
	bool split_reader_cpu;
	bool delivery_latency;
} cfg = {
	.mode = BPFSIM_OUT_PERF, .perf_pages = 64, .wakeup_events = 1, .ringbuf_bytes = 8 << 20,
	.rb_policy = BPFSIM_RB_WAKEUP_DEFAULT, .rb_force_every = 64, .sample = 1, .reader_cpu = -1,
	.duration = -1, .poll_timeout_ms = 100, .producers = 1, .repeat = 100000, .consumer = false,
};

static volatile sig_atomic_t stop_flag;
static char state_path[PATH_MAX];

/* Reader statistics (touched only by the reader thread). */
static struct {
	uint64_t records, lost, polls, empty_polls, dumped;
	struct bpfsim_record *dump;
	/* --split-reader-cpu: the thread clock when this poll's first record reached its callback (< 0:
	 * none yet), the reader's CPU in the polls up to that point (epoll_wait: entry, sleep and
	 * wake-up, return) and from there on (the walk over the records), and polls that read records */
	double first_cb_cpu_s, wait_cpu_s, drain_cpu_s;
	uint64_t polls_with_records;
	/* --delivery-latency: per record, CLOCK_MONOTONIC at its callback less the record's ts_ns
	 * (bpf_ktime_get_ns at the hook), in 1 us bins; "first" counts only each poll's first record */
	uint64_t lat_all[LAT_BINS], lat_first[LAT_BINS];
	bool lat_first_pending;
} rd;

static double thread_cpu_s(void);
static uint64_t mono_ns(void);

static const char *mode_name(int m)
{
	return m == BPFSIM_OUT_PERF ? "perf" : m == BPFSIM_OUT_RINGBUF ? "ringbuf" : "none";
}

static void die_usage(const char *flag, const char *val, const char *why)
{
	fprintf(stderr, "bpfsim-loader: invalid value '%s' for %s: %s\n", val, flag, why);
	exit(EXIT_USAGE);
}

static long parse_long(const char *flag, const char *val, long min, long max)
{
	char *end;
	errno = 0;
	long v = strtol(val, &end, 10);
	if (errno || end == val || *end)
		die_usage(flag, val, "not an integer");
	if (v < min || v > max) {
		char why[96];
		snprintf(why, sizeof(why), "must be between %ld and %ld", min, max);
		die_usage(flag, val, why);
	}
	return v;
}

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: bpfsim-loader --duration SEC [options]\n"
		"       bpfsim-loader --test-run [--producers P] [--repeat N] [--consumer] [options]\n"
		"Loads bpfsim's TC parser, attaches it, reads its records, prints one JSON object.\n\n"
		"  --iface NAME[@NETNS][:host]  attach ingress+egress (clsact) on NAME, inside network\n"
		"                               namespace NETNS (/run/netns/NETNS) if given; ':host' uses\n"
		"                               the host_* programs, otherwise endpoint_*. Repeatable.\n"
		"  --mode perf|ringbuf|none     output path (default perf)\n"
		"  --perf-pages N               data pages per CPU ring, power of two (default 64)\n"
		"  --wakeup-events N            perf: wake the reader every N records (default 1)\n"
		"  --watermark BYTES            perf: wake when BYTES are unread (excludes --wakeup-events)\n"
		"  --ringbuf-bytes N            ring buffer size, power of two >= 4096 (default 8388608)\n"
		"  --rb-wakeup default|nowakeup:N  ringbuf notification: kernel default, or BPF_RB_NO_WAKEUP\n"
		"                               with BPF_RB_FORCE_WAKEUP every N records per CPU\n"
		"  --sample N                   emit 1 record every N packets per CPU (default 1)\n"
		"  --burn-ns N                  spin N ns in every program run, any mode (0..1000000, default 0)\n"
		"  --reader-cpu N               pin the reader (sched_setaffinity)\n"
		"  --poll-timeout-ms N          epoll timeout of the reader (default 100)\n"
		"  --duration SEC               how long to read (required unless --test-run)\n"
		"  --dump N                     include the first N decoded records in the JSON\n"
		"  --split-reader-cpu           split the reader's CPU time at each poll's first record: the\n"
		"                               epoll part (reader_wait_cpu_s) and the walk over the records\n"
		"                               (reader_drain_cpu_s); costs ~3 clock reads per poll\n"
		"  --delivery-latency           histogram of each record's delivery latency (the reader's\n"
		"                               CLOCK_MONOTONIC at its callback less the hook's\n"
		"                               bpf_ktime_get_ns), all records and each poll's first\n"
		"  --count-wakeups              count perf_event_output / perf_event_wakeup calls (fentry)\n"
		"                               and irq_work IPIs (raw tracepoint) system-wide during the run\n"
		"  --test-run                   microbenchmark with BPF_PROG_TEST_RUN on a synthetic\n"
		"                               TCP packet with timestamp options\n"
		"  --producers P                test-run: P threads, thread i pinned to CPU i (default 1)\n"
		"  --repeat N                   test-run: runs per thread (default 100000)\n"
		"  --consumer                   test-run: run a live reader thread during the runs\n"
		"  --help\n"
		"Exit codes: 0 ok, 1 bad usage, 2 no root / no BPF support, 3 runtime failure.\n");
}

static void parse_iface(const char *arg)
{
	if (cfg.n_ifaces >= MAX_IFACES)
		die_usage("--iface", arg, "too many interfaces");
	struct iface *i = &cfg.ifaces[cfg.n_ifaces++];
	char buf[256];
	snprintf(buf, sizeof(buf), "%s", arg);
	char *colon = strchr(buf, ':');
	if (colon) {
		if (strcmp(colon, ":host") != 0)
			die_usage("--iface", arg, "suffix must be ':host'");
		i->host = true;
		*colon = 0;
	}
	char *at = strchr(buf, '@');
	if (at) {
		*at = 0;
		snprintf(i->netns, sizeof(i->netns), "%s", at + 1);
		if (!i->netns[0] || strchr(i->netns, '/'))
			die_usage("--iface", arg, "bad namespace name");
	}
	if (!buf[0] || strlen(buf) >= IF_NAMESIZE)
		die_usage("--iface", arg, "bad interface name");
	snprintf(i->name, sizeof(i->name), "%s", buf);
}

static void parse_args(int argc, char **argv)
{
	enum { O_IFACE = 256, O_MODE, O_PAGES, O_WAKEUP, O_WM, O_RBB, O_RBW, O_SAMPLE, O_CPU,
	       O_DUR, O_PTO, O_DUMP, O_TR, O_PROD, O_REP, O_CONS, O_CW, O_BURN, O_SPLIT, O_LAT, O_HELP };
	static const struct option opts[] = {
		{ "iface", required_argument, 0, O_IFACE },
		{ "mode", required_argument, 0, O_MODE },
		{ "perf-pages", required_argument, 0, O_PAGES },
		{ "wakeup-events", required_argument, 0, O_WAKEUP },
		{ "watermark", required_argument, 0, O_WM },
		{ "ringbuf-bytes", required_argument, 0, O_RBB },
		{ "rb-wakeup", required_argument, 0, O_RBW },
		{ "sample", required_argument, 0, O_SAMPLE },
		{ "reader-cpu", required_argument, 0, O_CPU },
		{ "duration", required_argument, 0, O_DUR },
		{ "poll-timeout-ms", required_argument, 0, O_PTO },
		{ "dump", required_argument, 0, O_DUMP },
		{ "test-run", no_argument, 0, O_TR },
		{ "producers", required_argument, 0, O_PROD },
		{ "repeat", required_argument, 0, O_REP },
		{ "consumer", no_argument, 0, O_CONS },
		{ "count-wakeups", no_argument, 0, O_CW },
		{ "burn-ns", required_argument, 0, O_BURN },
		{ "split-reader-cpu", no_argument, 0, O_SPLIT },
		{ "delivery-latency", no_argument, 0, O_LAT },
		{ "help", no_argument, 0, O_HELP },
		{ 0 },
	};
	bool saw_wakeup = false, saw_wm = false;
	int c;
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case O_IFACE: parse_iface(optarg); break;
		case O_MODE:
			if (!strcmp(optarg, "perf")) cfg.mode = BPFSIM_OUT_PERF;
			else if (!strcmp(optarg, "ringbuf")) cfg.mode = BPFSIM_OUT_RINGBUF;
			else if (!strcmp(optarg, "none")) cfg.mode = BPFSIM_OUT_NONE;
			else die_usage("--mode", optarg, "expected perf, ringbuf or none");
			break;
		case O_PAGES:
			cfg.perf_pages = parse_long("--perf-pages", optarg, 1, 1 << 16);
			if (cfg.perf_pages & (cfg.perf_pages - 1))
				die_usage("--perf-pages", optarg, "must be a power of two");
			break;
		case O_WAKEUP:
			cfg.wakeup_events = parse_long("--wakeup-events", optarg, 1, INT_MAX);
			saw_wakeup = true;
			break;
		case O_WM:
			cfg.watermark = parse_long("--watermark", optarg, 1, INT_MAX);
			saw_wm = true;
			break;
		case O_RBB:
			cfg.ringbuf_bytes = parse_long("--ringbuf-bytes", optarg, 4096, 1L << 30);
			if (cfg.ringbuf_bytes & (cfg.ringbuf_bytes - 1))
				die_usage("--ringbuf-bytes", optarg, "must be a power of two");
			break;
		case O_RBW:
			if (!strcmp(optarg, "default")) {
				cfg.rb_policy = BPFSIM_RB_WAKEUP_DEFAULT;
			} else if (!strncmp(optarg, "nowakeup:", 9)) {
				cfg.rb_policy = BPFSIM_RB_WAKEUP_NO_FORCE_EVERY;
				cfg.rb_force_every = parse_long("--rb-wakeup", optarg + 9, 1, INT_MAX);
			} else {
				die_usage("--rb-wakeup", optarg, "expected default or nowakeup:N");
			}
			break;
		case O_SAMPLE: cfg.sample = parse_long("--sample", optarg, 1, INT_MAX); break;
		case O_BURN: cfg.burn_ns = parse_long("--burn-ns", optarg, 0, 1000000); break;
		case O_CPU: cfg.reader_cpu = parse_long("--reader-cpu", optarg, 0, ncpu - 1); break;
		case O_DUR: {
			char *end;
			cfg.duration = strtod(optarg, &end);
			if (end == optarg || *end || !(cfg.duration > 0) || cfg.duration > 3600)
				die_usage("--duration", optarg, "must be a number of seconds in (0, 3600]");
			break;
		}
		case O_PTO: cfg.poll_timeout_ms = parse_long("--poll-timeout-ms", optarg, 0, 60000); break;
		case O_DUMP: cfg.dump = parse_long("--dump", optarg, 0, 100000); break;
		case O_TR: cfg.test_run = true; break;
		case O_PROD: cfg.producers = parse_long("--producers", optarg, 1, ncpu); break;
		case O_REP: cfg.repeat = parse_long("--repeat", optarg, 1, 100000000); break;
		case O_CONS: cfg.consumer = true; break;
		case O_CW: cfg.count_wakeups = true; break;
		case O_SPLIT: cfg.split_reader_cpu = true; break;
		case O_LAT: cfg.delivery_latency = true; break;
		case O_HELP: usage(stdout); exit(0);
		default: usage(stderr); exit(EXIT_USAGE);
		}
	}
	if (optind < argc)
		die_usage("argument", argv[optind], "unexpected positional argument");
	if (saw_wakeup && saw_wm) {
		fprintf(stderr, "bpfsim-loader: --wakeup-events and --watermark are exclusive\n");
		exit(EXIT_USAGE);
	}
	if (saw_wm)
		cfg.wakeup_events = 0;
	if (!cfg.test_run && cfg.duration < 0) {
		fprintf(stderr, "bpfsim-loader: --duration SEC is required (runs are bounded)\n");
		exit(EXIT_USAGE);
	}
	if (cfg.test_run && cfg.n_ifaces) {
		fprintf(stderr, "bpfsim-loader: --test-run attaches nothing; drop --iface\n");
		exit(EXIT_USAGE);
	}
}

/* ---- network namespaces and tc attach/detach ---- */

static int self_netns_fd = -1;

static int enter_netns(const char *netns)
{
	char path[PATH_MAX];
	if (!netns[0])
		return 0;
	snprintf(path, sizeof(path), "/run/netns/%s", netns);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	int err = setns(fd, CLONE_NEWNET) ? -errno : 0;
	close(fd);
	return err;
}

static void leave_netns(const char *netns)
{
	if (netns[0] && setns(self_netns_fd, CLONE_NEWNET))
		fprintf(stderr, "bpfsim-loader: cannot return to own netns: %s\n", strerror(errno));
}

/* Removes our filter and, if we created it, the clsact qdisc. Missing things are fine. */
static void undo_iface(const char *netns, const char *name, bool created_qdisc)
{
	if (enter_netns(netns))
		return; /* namespace gone: so is everything in it */
	int ifindex = if_nametoindex(name);
	if (ifindex) {
		DECLARE_LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifindex);
		DECLARE_LIBBPF_OPTS(bpf_tc_opts, o, .handle = TC_HANDLE, .priority = TC_PRIO);
		hook.attach_point = BPF_TC_INGRESS;
		bpf_tc_detach(&hook, &o);
		hook.attach_point = BPF_TC_EGRESS;
		bpf_tc_detach(&hook, &o);
		if (created_qdisc) {
			hook.attach_point = BPF_TC_INGRESS | BPF_TC_EGRESS;
			bpf_tc_hook_destroy(&hook);
		}
	}
	leave_netns(netns);
}

static void write_state(void)
{
	mkdir(STATE_DIR, 0700);
	char tmp[PATH_MAX + 8];
	snprintf(tmp, sizeof(tmp), "%s.tmp", state_path);
	FILE *f = fopen(tmp, "w");
	if (!f)
		return;
	for (int k = 0; k < cfg.n_ifaces; k++) {
		struct iface *i = &cfg.ifaces[k];
		if (i->attached || i->created_qdisc)
			fprintf(f, "%s %s %d\n", i->netns[0] ? i->netns : "-", i->name, i->created_qdisc);
	}
	fclose(f);
	rename(tmp, state_path);
}

/* Undo what loaders that died without cleaning up had attached. */
static void cleanup_leftovers(void)
{
	DIR *d = opendir(STATE_DIR);
	struct dirent *e;
	if (!d)
		return;
	while ((e = readdir(d))) {
		int pid;
		if (sscanf(e->d_name, "loader-%d.state", &pid) != 1 || pid == getpid())
			continue;
		if (kill(pid, 0) == 0 || errno == EPERM)
			continue; /* still running */
		char path[PATH_MAX];
		snprintf(path, sizeof(path), "%s/%s", STATE_DIR, e->d_name);
		FILE *f = fopen(path, "r");
		if (f) {
			char ns[64], name[IF_NAMESIZE + 1];
			int created;
			while (fscanf(f, "%63s %16s %d", ns, name, &created) == 3) {
				undo_iface(strcmp(ns, "-") ? ns : "", name, created);
				fprintf(stderr, "bpfsim-loader: removed leftover of pid %d on %s%s%s\n", pid,
					name, strcmp(ns, "-") ? "@" : "", strcmp(ns, "-") ? ns : "");
			}
			fclose(f);
		}
		unlink(path);
	}
	closedir(d);
}

static int attach_iface(struct parser *skel, struct iface *i)
{
	int err = enter_netns(i->netns);
	if (err) {
		fprintf(stderr, "bpfsim-loader: netns %s: %s\n", i->netns, strerror(-err));
		return err;
	}
	i->ifindex = if_nametoindex(i->name);
	if (!i->ifindex) {
		err = -errno;
		fprintf(stderr, "bpfsim-loader: no interface %s\n", i->name);
		goto out;
	}
	DECLARE_LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = i->ifindex,
			    .attach_point = BPF_TC_INGRESS | BPF_TC_EGRESS);
	err = bpf_tc_hook_create(&hook);
	if (err && err != -EEXIST) {
		fprintf(stderr, "bpfsim-loader: clsact on %s: %s\n", i->name, strerror(-err));
		goto out;
	}
	i->created_qdisc = (err == 0);
	write_state();
	struct bpf_program *in = i->host ? skel->progs.host_ingress : skel->progs.endpoint_ingress;
	struct bpf_program *eg = i->host ? skel->progs.host_egress : skel->progs.endpoint_egress;
	DECLARE_LIBBPF_OPTS(bpf_tc_opts, o, .handle = TC_HANDLE, .priority = TC_PRIO,
			    .flags = BPF_TC_F_REPLACE);
	hook.attach_point = BPF_TC_INGRESS;
	o.prog_fd = bpf_program__fd(in);
	err = bpf_tc_attach(&hook, &o);
	if (!err) {
		i->attached = true;
		write_state();
		hook.attach_point = BPF_TC_EGRESS;
		o.prog_fd = bpf_program__fd(eg);
		o.prog_id = 0;
		err = bpf_tc_attach(&hook, &o);
	}
	if (err)
		fprintf(stderr, "bpfsim-loader: attach on %s: %s\n", i->name, strerror(-err));
out:
	leave_netns(i->netns);
	return err;
}

static void detach_all(void)
{
	for (int k = 0; k < cfg.n_ifaces; k++) {
		struct iface *i = &cfg.ifaces[k];
		if (i->attached || i->created_qdisc)
			undo_iface(i->netns, i->name, i->created_qdisc);
		i->attached = i->created_qdisc = false;
	}
	if (state_path[0])
		unlink(state_path);
}

/* ---- readers ---- */

static void keep_record(const void *data, uint32_t size)
{
	if (cfg.split_reader_cpu && rd.first_cb_cpu_s < 0)
		rd.first_cb_cpu_s = thread_cpu_s();
	rd.records++;
	if (cfg.delivery_latency && size >= sizeof(struct bpfsim_record)) {
		const struct bpfsim_record *rec = data;
		uint64_t now = mono_ns();
		uint64_t us = now > rec->ts_ns ? (now - rec->ts_ns) / 1000 : 0;
		if (us >= LAT_BINS)
			us = LAT_BINS - 1;
		rd.lat_all[us]++;
		if (rd.lat_first_pending) {
			rd.lat_first[us]++;
			rd.lat_first_pending = false;
		}
	}
	if (rd.dumped < (uint64_t)cfg.dump && size >= sizeof(struct bpfsim_record))
		memcpy(&rd.dump[rd.dumped++], data, sizeof(struct bpfsim_record));
}

static enum bpf_perf_event_ret on_perf_event(void *ctx, int cpu, struct perf_event_header *h)
{
	if (h->type == PERF_RECORD_SAMPLE) {
		uint32_t size = *(uint32_t *)(h + 1);
		keep_record((uint8_t *)(h + 1) + sizeof(uint32_t), size);
	} else if (h->type == PERF_RECORD_LOST) {
		rd.lost += ((uint64_t *)(h + 1))[1];
	}
	return LIBBPF_PERF_EVENT_CONT;
}

static int on_ringbuf_record(void *ctx, void *data, size_t size)
{
	keep_record(data, size);
	return 0;
}

struct reader {
	struct perf_buffer *pb;
	struct ring_buffer *rb;
};

static int open_reader(struct parser *skel, struct reader *r)
{
	memset(r, 0, sizeof(*r));
	if (cfg.mode == BPFSIM_OUT_PERF) {
		struct perf_event_attr attr = {
			.size = sizeof(attr),
			.type = PERF_TYPE_SOFTWARE,
			.config = PERF_COUNT_SW_BPF_OUTPUT,
			.sample_type = PERF_SAMPLE_RAW,
			.sample_period = 1,
		};
		if (cfg.watermark) {
			attr.watermark = 1;
			attr.wakeup_watermark = cfg.watermark;
		} else {
			attr.wakeup_events = cfg.wakeup_events;
		}
		r->pb = perf_buffer__new_raw(bpf_map__fd(skel->maps.events_perf), cfg.perf_pages, &attr,
					     on_perf_event, NULL, NULL);
		if (!r->pb)
			return -errno;
	} else if (cfg.mode == BPFSIM_OUT_RINGBUF) {
		r->rb = ring_buffer__new(bpf_map__fd(skel->maps.events_ringbuf), on_ringbuf_record, NULL,
					 NULL);
		if (!r->rb)
			return -errno;
	}
	return 0;
}

static int reader_poll(struct reader *r, int timeout_ms)
{
	int n = 0;
	double cpu0 = 0;
	if (cfg.split_reader_cpu) {
		rd.first_cb_cpu_s = -1;
		cpu0 = thread_cpu_s();
	}
	rd.lat_first_pending = true;
	if (r->pb)
		n = perf_buffer__poll(r->pb, timeout_ms);
	else if (r->rb)
		n = ring_buffer__poll(r->rb, timeout_ms);
	else if (timeout_ms > 0)
		usleep(timeout_ms * 1000);
	if (cfg.split_reader_cpu) {
		double cpu1 = thread_cpu_s();
		if (rd.first_cb_cpu_s >= 0) {
			rd.wait_cpu_s += rd.first_cb_cpu_s - cpu0;
			rd.drain_cpu_s += cpu1 - rd.first_cb_cpu_s;
			rd.polls_with_records++;
		} else {
			rd.wait_cpu_s += cpu1 - cpu0;
		}
	}
	if (n == -EINTR)
		n = 0;
	if (n >= 0) {
		rd.polls++;
		if (n == 0)
			rd.empty_polls++;
	}
	return n;
}

static void reader_drain(struct reader *r)
{
	if (r->pb)
		perf_buffer__consume(r->pb);
	else if (r->rb)
		ring_buffer__consume(r->rb);
}

static void close_reader(struct reader *r)
{
	perf_buffer__free(r->pb);
	ring_buffer__free(r->rb);
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

struct usage {
	double cpu_s;
	/* getrusage's split of the thread's time into user and system (kernel: syscalls, switches, and the
	 * interrupts taken while it ran when the kernel lacks CONFIG_IRQ_TIME_ACCOUNTING), tick-sampled */
	double user_s, sys_s;
	long nvcsw, nivcsw;
};

/*
 * CPU time of the calling thread from CLOCK_THREAD_CPUTIME_ID, which includes the slice now
 * running (task_sched_runtime); getrusage's utime+stime only advance at ticks and switches,
 * which misses a short drain entirely. Context switches come from getrusage(RUSAGE_THREAD).
 */
static uint64_t mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* The q-quantile of a 1 us histogram, as its bin's midpoint in us (-1 when empty). */
static double lat_quantile(const uint64_t *h, double q)
{
	uint64_t n = 0, acc = 0;
	for (int i = 0; i < LAT_BINS; i++)
		n += h[i];
	if (n == 0)
		return -1;
	for (int i = 0; i < LAT_BINS; i++) {
		acc += h[i];
		if ((double)acc >= q * (double)n)
			return i + 0.5;
	}
	return LAT_BINS - 0.5;
}

static void print_latency(void)
{
	uint64_t n = 0, nf = 0;
	for (int i = 0; i < LAT_BINS; i++) {
		n += rd.lat_all[i];
		nf += rd.lat_first[i];
	}
	printf(",\"delivery_us\":{\"n\":%llu,\"p50\":%.1f,\"p90\":%.1f,\"p99\":%.1f,\"first_n\":%llu,"
	       "\"first_p50\":%.1f,\"first_p90\":%.1f,\"first_p99\":%.1f,\"at_or_over_max\":%llu,\"max_us\":%d}",
	       (unsigned long long)n, lat_quantile(rd.lat_all, 0.5), lat_quantile(rd.lat_all, 0.9),
	       lat_quantile(rd.lat_all, 0.99), (unsigned long long)nf, lat_quantile(rd.lat_first, 0.5),
	       lat_quantile(rd.lat_first, 0.9), lat_quantile(rd.lat_first, 0.99),
	       (unsigned long long)rd.lat_all[LAT_BINS - 1], LAT_BINS - 1);
}

static double thread_cpu_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static struct usage thread_usage(void)
{
	struct rusage ru;
	getrusage(RUSAGE_THREAD, &ru);
	return (struct usage){ .cpu_s = thread_cpu_s(),
			       .user_s = ru.ru_utime.tv_sec + ru.ru_utime.tv_usec * 1e-6,
			       .sys_s = ru.ru_stime.tv_sec + ru.ru_stime.tv_usec * 1e-6,
			       .nvcsw = ru.ru_nvcsw,
			       .nivcsw = ru.ru_nivcsw };
}

static void sum_counters(struct parser *skel, struct bpfsim_counters *tot)
{
	int ncpu = libbpf_num_possible_cpus();
	struct bpfsim_counters *per = calloc(ncpu, sizeof(*per));
	__u32 zero = 0;
	memset(tot, 0, sizeof(*tot));
	if (per && !bpf_map_lookup_elem(bpf_map__fd(skel->maps.counters), &zero, per)) {
		for (int c = 0; c < ncpu; c++) {
			tot->seen += per[c].seen;
			tot->emitted += per[c].emitted;
			tot->failed += per[c].failed;
		}
	}
	free(per);
}

/* ---- JSON output ---- */

static void print_settings(void)
{
	printf("\"mode\":\"%s\",\"perf_pages\":%d,\"wakeup_events\":%d,\"watermark\":%d,"
	       "\"ringbuf_bytes\":%ld,\"rb_wakeup\":\"%s\",\"rb_force_every\":%d,\"sample\":%d,"
	       "\"reader_cpu\":%d,\"record_bytes\":%zu,\"ncpu\":%ld,\"burn_ns\":%ld",
	       mode_name(cfg.mode), cfg.perf_pages, cfg.wakeup_events, cfg.watermark, cfg.ringbuf_bytes,
	       cfg.rb_policy ? "nowakeup" : "default", cfg.rb_force_every, cfg.sample, cfg.reader_cpu,
	       sizeof(struct bpfsim_record), sysconf(_SC_NPROCESSORS_ONLN), cfg.burn_ns);
}

static void print_addr(const uint8_t *a, int ver)
{
	char s[INET6_ADDRSTRLEN];
	if (ver == 4)
		inet_ntop(AF_INET, a + 12, s, sizeof(s));
	else
		inet_ntop(AF_INET6, a, s, sizeof(s));
	printf("\"%s\"", s);
}

static void print_dump(void)
{
	printf(",\"dump\":[");
	for (uint64_t k = 0; k < rd.dumped; k++) {
		struct bpfsim_record *r = &rd.dump[k];
		printf("%s{\"ts_ns\":%llu,\"saddr\":", k ? "," : "", (unsigned long long)r->ts_ns);
		print_addr(r->saddr, r->ip_version);
		printf(",\"daddr\":");
		print_addr(r->daddr, r->ip_version);
		printf(",\"sport\":%u,\"dport\":%u,\"ip_version\":%u,\"l4_proto\":%u,\"direction\":%u,"
		       "\"obs_point\":%u,\"tcp_flags\":%u,\"has_tsopt\":%u,\"ttl\":%u,\"ifindex\":%u,"
		       "\"seq\":%u,\"ack_seq\":%u,\"tsval\":%u,\"tsecr\":%u,\"pkt_len\":%u,\"cpu\":%u,"
		       "\"flow_bytes\":%llu,\"flow_packets\":%llu,\"cpu_seq\":%llu,\"window\":%u}",
		       r->sport, r->dport, r->ip_version, r->l4_proto, r->direction, r->obs_point,
		       r->tcp_flags, r->has_tsopt, r->ttl, r->ifindex, r->seq, r->ack_seq, r->tsval,
		       r->tsecr, r->pkt_len, r->cpu, (unsigned long long)r->flow_bytes,
		       (unsigned long long)r->flow_packets, (unsigned long long)r->cpu_seq, r->window);
	}
	printf("]");
}

/* ---- wakeup counters (--count-wakeups) ---- */

enum { WK_PERF_OUTPUT, WK_PERF_PENDING_IRQ, WK_PERF_WAKEUP, WK_RINGBUF_NOTIFY, WK_IRQ_WORK_IPI, WK_N };

static struct {
	struct wakeups *skel;
	bool fentry;          /* fentry programs attached */
	bool ipi;             /* raw_tp/irq_work_entry attached */
	char error[256];      /* why fentry (or everything) is not counted; "" = no error */
	uint64_t start[WK_N]; /* totals when the counting window opened */
	uint64_t delta[WK_N];
} wk;

static int wk_read(uint64_t out[WK_N])
{
	int ncpu = libbpf_num_possible_cpus();
	uint64_t *per = calloc(ncpu, sizeof(*per));
	if (!per)
		return -ENOMEM;
	for (__u32 k = 0; k < WK_N; k++) {
		out[k] = 0;
		if (bpf_map_lookup_elem(bpf_map__fd(wk.skel->maps.wakeup_counts), &k, per)) {
			free(per);
			return -errno;
		}
		for (int c = 0; c < ncpu; c++)
			out[k] += per[c];
	}
	free(per);
	return 0;
}

/* Loads and attaches the counters; never fails the run: problems go to wk.error. */
static void wk_start(void)
{
	struct bpf_program *fentry_progs[4];
	int err;
	for (int attempt = 0; attempt < 2 && !wk.skel; attempt++) {
		struct wakeups *s = wakeups__open();
		if (!s) {
			snprintf(wk.error, sizeof(wk.error), "opening wakeups.bpf.o: %s", strerror(errno));
			return;
		}
		fentry_progs[0] = s->progs.count_perf_event_output;
		fentry_progs[1] = s->progs.count_perf_pending_irq;
		fentry_progs[2] = s->progs.count_perf_event_wakeup;
		fentry_progs[3] = s->progs.count_bpf_ringbuf_notify;
		if (attempt == 1)
			for (int k = 0; k < 4; k++)
				bpf_program__set_autoload(fentry_progs[k], false);
		err = wakeups__load(s);
		if (err) {
			if (attempt == 0)
				snprintf(wk.error, sizeof(wk.error),
					 "fentry programs not loadable (%s); counting irq_work IPIs only", strerror(-err));
			else
				snprintf(wk.error + strlen(wk.error), sizeof(wk.error) - strlen(wk.error),
					 "; raw tracepoint not loadable either (%s)", strerror(-err));
			wakeups__destroy(s);
			continue;
		}
		if (attempt == 0) {
			for (int k = 0; k < 4 && !err; k++) {
				struct bpf_link *l = bpf_program__attach(fentry_progs[k]);
				if (!l) {
					err = -errno;
					snprintf(wk.error, sizeof(wk.error), "attaching %s: %s; counting irq_work IPIs only",
						 bpf_program__section_name(fentry_progs[k]), strerror(-err));
				} else {
					s->links.count_perf_event_output = k == 0 ? l : s->links.count_perf_event_output;
					s->links.count_perf_pending_irq = k == 1 ? l : s->links.count_perf_pending_irq;
					s->links.count_perf_event_wakeup = k == 2 ? l : s->links.count_perf_event_wakeup;
					s->links.count_bpf_ringbuf_notify = k == 3 ? l : s->links.count_bpf_ringbuf_notify;
				}
			}
			if (err) { /* drop the half-attached set, retry without fentry */
				wakeups__destroy(s);
				continue;
			}
			wk.fentry = true;
		}
		s->links.count_irq_work_entry = bpf_program__attach(s->progs.count_irq_work_entry);
		wk.ipi = s->links.count_irq_work_entry != NULL;
		if (!wk.ipi) {
			snprintf(wk.error + strlen(wk.error), sizeof(wk.error) - strlen(wk.error),
				 "%sattaching raw_tp/irq_work_entry: %s", wk.error[0] ? "; " : "", strerror(errno));
			if (!wk.fentry) {
				wakeups__destroy(s);
				return;
			}
		}
		wk.skel = s;
	}
	if (wk.skel && wk_read(wk.start)) {
		snprintf(wk.error, sizeof(wk.error), "reading the counters: %s", strerror(errno));
		wakeups__destroy(wk.skel);
		wk.skel = NULL;
		wk.fentry = wk.ipi = false;
	}
}

static void wk_stop(void)
{
	uint64_t end[WK_N];
	if (!wk.skel)
		return;
	if (wk_read(end) == 0)
		for (int k = 0; k < WK_N; k++)
			wk.delta[k] = end[k] - wk.start[k];
	wakeups__destroy(wk.skel); /* detaches */
	wk.skel = NULL;
}

static void wk_print_u64(const char *name, bool have, uint64_t v)
{
	if (have)
		printf(",\"%s\":%llu", name, (unsigned long long)v);
	else
		printf(",\"%s\":null", name);
}

/* Fields added to the JSON with --count-wakeups (null: not counted on this kernel). */
static void wk_print(void)
{
	if (!cfg.count_wakeups)
		return;
	bool ipi = wk.ipi;
	printf(",\"count_wakeups_method\":\"%s\"", wk.fentry ? "fentry+raw_tp" : ipi ? "raw_tp" : "none");
	wk_print_u64("perf_event_output_calls", wk.fentry, wk.delta[WK_PERF_OUTPUT]);
	wk_print_u64("perf_event_wakeup_calls", wk.fentry, wk.delta[WK_PERF_WAKEUP]);
	wk_print_u64("perf_pending_irq_calls", wk.fentry, wk.delta[WK_PERF_PENDING_IRQ]);
	wk_print_u64("bpf_ringbuf_notify_calls", wk.fentry, wk.delta[WK_RINGBUF_NOTIFY]);
	wk_print_u64("irq_work_ipis", ipi, wk.delta[WK_IRQ_WORK_IPI]);
	if (wk.error[0]) {
		printf(",\"count_wakeups_error\":\"");
		for (const char *p = wk.error; *p; p++)
			if (*p != '"' && *p != '\\')
				putchar(*p);
		printf("\"");
	}
}

/* ---- live mode ---- */

static void on_signal(int sig)
{
	stop_flag = sig;
}

static int run_live(struct parser *skel)
{
	struct reader r;
	int err = open_reader(skel, &r);
	if (err) {
		fprintf(stderr, "bpfsim-loader: opening the reader: %s\n", strerror(-err));
		return 3;
	}
	if (cfg.count_wakeups)
		wk_start();
	for (int k = 0; k < cfg.n_ifaces && !err; k++)
		err = attach_iface(skel, &cfg.ifaces[k]);
	if (err) {
		detach_all();
		wk_stop();
		close_reader(&r);
		return 3;
	}
	if (cfg.reader_cpu >= 0) {
		cpu_set_t set;
		CPU_ZERO(&set);
		CPU_SET(cfg.reader_cpu, &set);
		if (sched_setaffinity(0, sizeof(set), &set))
			fprintf(stderr, "bpfsim-loader: sched_setaffinity: %s\n", strerror(errno));
	}
	struct usage u0 = thread_usage();
	double t0 = now_s(), deadline = t0 + cfg.duration;
	fprintf(stderr, "bpfsim-loader: attached, reading for %.1f s\n", cfg.duration);
	while (!stop_flag) {
		double left = deadline - now_s();
		if (left <= 0)
			break;
		int to = cfg.poll_timeout_ms;
		if (left * 1000 < to)
			to = (int)(left * 1000) + 1;
		int n = reader_poll(&r, to);
		if (n < 0) {
			fprintf(stderr, "bpfsim-loader: poll: %s\n", strerror(-n));
			break;
		}
	}
	double t1 = now_s();
	detach_all();
	reader_drain(&r);
	wk_stop();
	struct usage u1 = thread_usage();
	struct bpfsim_counters c;
	sum_counters(skel, &c);
	printf("{\"kind\":\"live\",");
	print_settings();
	printf(",\"ifaces\":[");
	for (int k = 0; k < cfg.n_ifaces; k++)
		printf("%s\"%s%s%s%s\"", k ? "," : "", cfg.ifaces[k].name, cfg.ifaces[k].netns[0] ? "@" : "",
		       cfg.ifaces[k].netns, cfg.ifaces[k].host ? ":host" : "");
	printf("],\"records\":%llu,\"lost\":%llu,\"polls\":%llu,\"empty_polls\":%llu,"
	       "\"reader_cpu_s\":%.6f,\"reader_user_s\":%.6f,\"reader_sys_s\":%.6f,"
	       "\"voluntary_ctxt_switches\":%ld,\"involuntary_ctxt_switches\":%ld,"
	       "\"duration_s\":%.6f,\"seen\":%llu,\"emitted\":%llu,\"failed\":%llu,\"stopped_by_signal\":%d",
	       (unsigned long long)rd.records, (unsigned long long)rd.lost, (unsigned long long)rd.polls,
	       (unsigned long long)rd.empty_polls, u1.cpu_s - u0.cpu_s, u1.user_s - u0.user_s, u1.sys_s - u0.sys_s,
	       u1.nvcsw - u0.nvcsw,
	       u1.nivcsw - u0.nivcsw, t1 - t0, (unsigned long long)c.seen, (unsigned long long)c.emitted,
	       (unsigned long long)c.failed, (int)stop_flag);
	if (cfg.split_reader_cpu)
		printf(",\"reader_wait_cpu_s\":%.6f,\"reader_drain_cpu_s\":%.6f,\"polls_with_records\":%llu", rd.wait_cpu_s,
		       rd.drain_cpu_s, (unsigned long long)rd.polls_with_records);
	if (cfg.delivery_latency)
		print_latency();
	wk_print();
	if (cfg.dump)
		print_dump();
	printf("}\n");
	fflush(stdout);
	close_reader(&r);
	return 0;
}

/* ---- test-run mode ---- */

/* Ethernet + IPv4 + TCP (ACK|PSH, NOP NOP TS options) + 64 bytes payload. */
static size_t build_test_packet(uint8_t *p)
{
	static const uint8_t eth[14] = { 2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 0x08, 0x00 };
	size_t payload = 64, tcp_len = 32, ip_len = 20 + tcp_len + payload;
	memset(p, 0, 14 + ip_len);
	memcpy(p, eth, 14);
	uint8_t *ip = p + 14, *tcp = ip + 20;
	ip[0] = 0x45;
	ip[2] = ip_len >> 8;
	ip[3] = ip_len & 0xff;
	ip[6] = 0x40; /* DF */
	ip[8] = 64;
	ip[9] = 6;
	uint8_t src[4] = { 198, 18, 0, 1 }, dst[4] = { 198, 18, 0, 2 };
	memcpy(ip + 12, src, 4);
	memcpy(ip + 16, dst, 4);
	uint32_t sum = 0;
	for (int k = 0; k < 20; k += 2)
		sum += (ip[k] << 8) | ip[k + 1];
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	ip[10] = ~sum >> 8;
	ip[11] = ~sum & 0xff;
	tcp[0] = 40000 >> 8; tcp[1] = 40000 & 0xff;
	tcp[2] = 5201 >> 8;  tcp[3] = 5201 & 0xff;
	uint32_t seq = htonl(1000), ack = htonl(2000), tsval = htonl(123456), tsecr = htonl(654321);
	memcpy(tcp + 4, &seq, 4);
	memcpy(tcp + 8, &ack, 4);
	tcp[12] = (tcp_len / 4) << 4;
	tcp[13] = 0x18;
	tcp[14] = 0xff; tcp[15] = 0xff;
	tcp[20] = 1; tcp[21] = 1; tcp[22] = 8; tcp[23] = 10;
	memcpy(tcp + 24, &tsval, 4);
	memcpy(tcp + 28, &tsecr, 4);
	return 14 + ip_len;
}

struct producer {
	pthread_t th;
	int cpu;
	int prog_fd;
	double ns_per_run;
	int err;
};

static pthread_barrier_t start_barrier;
static volatile int producers_done;

static void *producer_main(void *arg)
{
	struct producer *p = arg;
	uint8_t pkt[256];
	size_t len = build_test_packet(pkt);
	cpu_set_t set;
	CPU_ZERO(&set);
	CPU_SET(p->cpu, &set);
	pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
	DECLARE_LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = pkt, .data_size_in = len,
			    .repeat = cfg.repeat);
	pthread_barrier_wait(&start_barrier);
	p->err = bpf_prog_test_run_opts(p->prog_fd, &o);
	p->ns_per_run = o.duration;
	__sync_fetch_and_add(&producers_done, 1);
	return NULL;
}

static struct usage consumer_usage;
static void *consumer_main(void *arg)
{
	struct reader *r = arg;
	struct usage u0 = thread_usage();
	while (producers_done < cfg.producers && !stop_flag)
		reader_poll(r, cfg.poll_timeout_ms);
	reader_drain(r);
	struct usage u1 = thread_usage();
	consumer_usage = (struct usage){ .cpu_s = u1.cpu_s - u0.cpu_s,
					 .user_s = u1.user_s - u0.user_s,
					 .sys_s = u1.sys_s - u0.sys_s,
					 .nvcsw = u1.nvcsw - u0.nvcsw,
					 .nivcsw = u1.nivcsw - u0.nivcsw };
	return NULL;
}

static int run_test(struct parser *skel)
{
	struct reader r;
	int err = open_reader(skel, &r);
	if (err) {
		fprintf(stderr, "bpfsim-loader: opening the reader: %s\n", strerror(-err));
		return 3;
	}
	struct producer *ps = calloc(cfg.producers, sizeof(*ps));
	pthread_t cons;
	pthread_barrier_init(&start_barrier, NULL, cfg.producers);
	if (cfg.consumer)
		pthread_create(&cons, NULL, consumer_main, &r);
	double t0 = now_s();
	for (int k = 0; k < cfg.producers; k++) {
		ps[k].cpu = k;
		ps[k].prog_fd = bpf_program__fd(skel->progs.endpoint_ingress);
		pthread_create(&ps[k].th, NULL, producer_main, &ps[k]);
	}
	for (int k = 0; k < cfg.producers; k++)
		pthread_join(ps[k].th, NULL);
	double t1 = now_s();
	double drain_cpu_s = 0;
	if (cfg.consumer) {
		pthread_join(cons, NULL);
	} else {
		/* Drain everything at once, after the producers: the pure per-record consume cost. */
		double c0 = thread_cpu_s();
		reader_drain(&r);
		drain_cpu_s = thread_cpu_s() - c0;
	}
	struct bpfsim_counters c;
	sum_counters(skel, &c);
	double mean = 0;
	for (int k = 0; k < cfg.producers; k++) {
		if (ps[k].err) {
			fprintf(stderr, "bpfsim-loader: BPF_PROG_TEST_RUN: %s\n", strerror(-ps[k].err));
			return 3;
		}
		mean += ps[k].ns_per_run / cfg.producers;
	}
	printf("{\"kind\":\"test-run\",");
	print_settings();
	printf(",\"producers\":%d,\"repeat\":%ld,\"consumer\":%s,\"ns_per_run\":[", cfg.producers,
	       cfg.repeat, cfg.consumer ? "true" : "false");
	for (int k = 0; k < cfg.producers; k++)
		printf("%s%.1f", k ? "," : "", ps[k].ns_per_run);
	printf("],\"ns_per_run_mean\":%.2f,\"wall_s\":%.6f,\"records\":%llu,\"lost\":%llu,\"polls\":%llu,"
	       "\"empty_polls\":%llu,\"seen\":%llu,\"emitted\":%llu,\"failed\":%llu,"
	       "\"consumer_cpu_s\":%.6f,\"consumer_voluntary_ctxt_switches\":%ld,"
	       "\"consumer_involuntary_ctxt_switches\":%ld,\"drain_cpu_s\":%.9f",
	       mean, t1 - t0, (unsigned long long)rd.records, (unsigned long long)rd.lost,
	       (unsigned long long)rd.polls, (unsigned long long)rd.empty_polls,
	       (unsigned long long)c.seen, (unsigned long long)c.emitted, (unsigned long long)c.failed,
	       consumer_usage.cpu_s, consumer_usage.nvcsw, consumer_usage.nivcsw, drain_cpu_s);
	if (cfg.dump)
		print_dump();
	printf("}\n");
	free(ps);
	close_reader(&r);
	return 0;
}

static int quiet_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (level == LIBBPF_DEBUG)
		return 0;
	return vfprintf(stderr, fmt, ap);
}

int main(int argc, char **argv)
{
	parse_args(argc, argv);
	if (geteuid() != 0) {
		fprintf(stderr, "bpfsim-loader: must run as root (needs CAP_BPF, CAP_NET_ADMIN, CAP_PERFMON)\n");
		return EXIT_ENV;
	}
	if (libbpf_probe_bpf_prog_type(BPF_PROG_TYPE_SCHED_CLS, NULL) <= 0) {
		fprintf(stderr, "bpfsim-loader: this kernel does not support BPF sched_cls programs\n");
		return EXIT_ENV;
	}
	if (cfg.mode == BPFSIM_OUT_RINGBUF && libbpf_probe_bpf_map_type(BPF_MAP_TYPE_RINGBUF, NULL) <= 0) {
		fprintf(stderr, "bpfsim-loader: this kernel has no BPF ring buffer (needs >= 5.8)\n");
		return EXIT_ENV;
	}
	libbpf_set_print(quiet_print);
	self_netns_fd = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	snprintf(state_path, sizeof(state_path), STATE_DIR "/loader-%d.state", getpid());
	cleanup_leftovers();

	struct sigaction sa = { .sa_handler = on_signal };
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);

	if (cfg.dump)
		rd.dump = calloc(cfg.dump, sizeof(struct bpfsim_record));

	struct parser *skel = parser__open();
	if (!skel) {
		fprintf(stderr, "bpfsim-loader: opening the BPF object: %s\n", strerror(errno));
		return EXIT_ENV;
	}
	skel->rodata->output_mode = cfg.mode;
	skel->rodata->sample_every = cfg.sample;
	skel->rodata->rb_wakeup_policy = cfg.rb_policy;
	skel->rodata->rb_force_every = cfg.rb_force_every;
	skel->rodata->burn_ns = cfg.burn_ns;
	bpf_map__set_max_entries(skel->maps.events_ringbuf,
				 cfg.mode == BPFSIM_OUT_RINGBUF ? cfg.ringbuf_bytes : 4096);
	int err = parser__load(skel);
	if (err) {
		fprintf(stderr, "bpfsim-loader: loading the BPF programs failed: %s\n", strerror(-err));
		parser__destroy(skel);
		return (err == -EPERM || err == -ENOSYS || err == -EINVAL) ? EXIT_ENV : 3;
	}
	int rc = cfg.test_run ? run_test(skel) : run_live(skel);
	detach_all();
	parser__destroy(skel);
	return rc;
}
