"""SimPy 3 versions of the two engine benchmark models in test/bench/engine.ts.

Same parameters, same customer counts, same queueing models, each written as SimPy is written: one
generator per customer for M/M/1; N producer processes, one FIFO lock (a Resource), a bounded store
that drops when full, one consumer. (bpfsim's side is written as its node model runs: callbacks on
the event heap, the server, lock and consumer as Timelines; bpfsim has no process layer.) Prints one
JSON object: per-repetition wall times and each model's mean time in system, so run.ts can check the
two sides simulate the same thing before comparing speeds.

    python3 simpy_models.py '{"customers": 100000, "reps": 6, ...}'
"""
import json
import random
import sys
import time

import simpy


def mm1(p, seed):
    rng = random.Random(seed)
    env = simpy.Environment()
    server = simpy.Resource(env, capacity=1)
    arr_mean, svc_mean, n = p["arrivalMean"], p["serviceMean"], p["customers"]
    acc = [0.0, 0]

    def customer():
        t0 = env.now
        req = server.request()
        yield req
        yield env.timeout(rng.expovariate(1.0 / svc_mean))
        server.release(req)
        acc[0] += env.now - t0
        acc[1] += 1

    def source():
        for _ in range(n):
            env.process(customer())
            yield env.timeout(rng.expovariate(1.0 / arr_mean))

    env.process(source())
    env.run()
    return acc[0] / acc[1]


def spinlock_ring(p, seed):
    rng = random.Random(seed)
    env = simpy.Environment()
    lock = simpy.Resource(env, capacity=1)  # FIFO; the waiting time is the spin time
    ring = simpy.Store(env, capacity=p["ringCapacity"])
    think, hold, svc = p["thinkMean"], p["holdMean"], p["consumerMean"]
    per = p["customers"] // p["producers"]
    sojourn = [0.0, 0]
    stats = {"dropped": 0}

    def producer():
        for _ in range(per):
            yield env.timeout(rng.expovariate(1.0 / think))
            t0 = env.now
            req = lock.request()
            yield req
            yield env.timeout(rng.expovariate(1.0 / hold))
            if len(ring.items) >= ring.capacity:
                stats["dropped"] += 1
            else:
                yield ring.put(t0)
            lock.release(req)

    def consumer():
        while True:
            t0 = yield ring.get()
            yield env.timeout(rng.expovariate(1.0 / svc))
            sojourn[0] += env.now - t0
            sojourn[1] += 1

    for _ in range(p["producers"]):
        env.process(producer())
    env.process(consumer())
    env.run()
    return sojourn[0] / sojourn[1], stats["dropped"] / (per * p["producers"])


def main():
    p = json.loads(sys.argv[1])
    out = {"simpy": simpy.__version__, "python": sys.version.split()[0]}
    for name, fn in (("mm1", mm1), ("spinlockRing", spinlock_ring)):
        walls, results = [], []
        for r in range(p["reps"]):
            t = time.perf_counter()
            res = fn(p, p["seed"] + r)
            walls.append(time.perf_counter() - t)
            results.append(res)
        if name == "mm1":
            out[name] = {"wallS": walls, "meanTimeInSystem": sum(results) / len(results)}
        else:
            out[name] = {
                "wallS": walls,
                "meanTimeInSystem": sum(r[0] for r in results) / len(results),
                "dropFraction": sum(r[1] for r in results) / len(results),
            }
    print(json.dumps(out))


if __name__ == "__main__":
    main()
