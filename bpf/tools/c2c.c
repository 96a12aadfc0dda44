// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * c2c: the one-way time of a modified cache line moving between two CPUs (the hardware profiles'
 * cacheLineTransferNs.sameLlc). Two threads, pinned to CPU A and CPU B, take turns writing a
 * counter on one 64-byte line and spinning until the other has written it: each round trip moves
 * the line there and back, so one transfer is half a round trip (idle ping-pong, no other traffic).
 *
 *   c2c [iterations=2000000] [cpuA=0] [cpuB=1] [rounds=5]
 *
 * Prints each round's one-way ns and their median.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static _Alignas(64) _Atomic long line;
static long iters = 2000000;
static int cpu_a, cpu_b = 1;

static int pin(int cpu)
{
	cpu_set_t s;
	CPU_ZERO(&s);
	CPU_SET(cpu, &s);
	return pthread_setaffinity_np(pthread_self(), sizeof(s), &s);
}

static void *pong(void *arg)
{
	(void)arg;
	if (pin(cpu_b) != 0) {
		fprintf(stderr, "c2c: cannot pin to CPU %d\n", cpu_b);
		exit(2);
	}
	for (long i = 0; i < iters; i++) {
		while (atomic_load_explicit(&line, memory_order_acquire) != 2 * i + 1) {
		}
		atomic_store_explicit(&line, 2 * i + 2, memory_order_release);
	}
	return NULL;
}

static double one_round(void)
{
	pthread_t t;
	struct timespec a, b;

	atomic_store(&line, 0);
	if (pthread_create(&t, NULL, pong, NULL) != 0) {
		fprintf(stderr, "c2c: pthread_create failed\n");
		exit(2);
	}
	clock_gettime(CLOCK_MONOTONIC, &a);
	for (long i = 0; i < iters; i++) {
		atomic_store_explicit(&line, 2 * i + 1, memory_order_release);
		while (atomic_load_explicit(&line, memory_order_acquire) != 2 * i + 2) {
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &b);
	pthread_join(t, NULL);
	return ((b.tv_sec - a.tv_sec) * 1e9 + (b.tv_nsec - a.tv_nsec)) / (double)iters / 2;
}

static int cmp(const void *x, const void *y)
{
	double a = *(const double *)x, b = *(const double *)y;
	return (a > b) - (a < b);
}

int main(int argc, char **argv)
{
	int rounds = 5;
	double ns[64];

	if (argc > 1)
		iters = atol(argv[1]);
	if (argc > 2)
		cpu_a = atoi(argv[2]);
	if (argc > 3)
		cpu_b = atoi(argv[3]);
	if (argc > 4)
		rounds = atoi(argv[4]);
	if (iters < 1 || rounds < 1 || rounds > 64 || cpu_a == cpu_b) {
		fprintf(stderr, "usage: c2c [iterations>=1] [cpuA] [cpuB != cpuA] [rounds 1..64]\n");
		return 2;
	}
	if (pin(cpu_a) != 0) {
		fprintf(stderr, "c2c: cannot pin to CPU %d\n", cpu_a);
		return 2;
	}
	for (int r = 0; r < rounds; r++) {
		ns[r] = one_round();
		printf("round %d: %.1f ns one way (CPU %d <-> %d)\n", r, ns[r], cpu_a, cpu_b);
	}
	qsort(ns, rounds, sizeof(ns[0]), cmp);
	printf("median %.1f ns, min %.1f, max %.1f over %d rounds of %ld round trips\n", ns[rounds / 2], ns[0], ns[rounds - 1], rounds, iters);
	return 0;
}
