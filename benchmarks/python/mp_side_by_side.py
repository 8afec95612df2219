"""Python's side of benchmarks/side-by-side.sh: the same work as dev.multiproc.benchmarks.SideBySide.

Prints one line per measurement: RESULT <name> <median> <best> <unit>.
  map:   Pool(2).map(f, range(1_000_000)), default chunks          (items/s)
  map1:  Pool(2).map(f, range(100_000), chunksize=1)                (items/s)
  queue: a child process puts ints on a Queue, the parent gets them; a round is 200,000 (items/s)
  start: a spawned interpreter's start-and-echo, for reference     (ms)
"""
import multiprocessing as mp
import statistics
import sys
import time


def f(x):
    return x + 1


def producer(q, n):
    for i in range(n):
        q.put(i)


def echo(conn):
    conn.send(conn.recv())


def report(name, values, unit, higher_is_better=True):
    median = statistics.median_low(values)
    best = max(values) if higher_is_better else min(values)
    rounds = ", ".join(f"{v:.0f}" for v in values)
    print(f"RESULT {name} {median:.1f} {best:.1f} {unit}   rounds: [{rounds}]", flush=True)


def bench_map(rounds, n, chunk, name):
    rates = []
    with mp.Pool(2) as p:
        for _ in range(rounds):
            t0 = time.perf_counter()
            out = p.map(f, range(n)) if chunk == 0 else p.map(f, range(n), chunk)
            rates.append(n / (time.perf_counter() - t0))
            assert out[-1] == n
    report(name, rates, "items/s")


def bench_queue(rounds, n):
    """One producer process puts rounds * n ints; each round times the parent getting n."""
    rates = []
    q = mp.Queue()
    p = mp.Process(target=producer, args=(q, rounds * n))
    p.start()
    total = 0
    for _ in range(rounds):
        t0 = time.perf_counter()
        for _ in range(n):
            total += q.get()
        rates.append(n / (time.perf_counter() - t0))
    p.join()
    assert total == rounds * n * (rounds * n - 1) // 2
    report("queue", rates, "items/s")


def bench_start(rounds):
    ctx = mp.get_context("spawn")
    times = []
    for _ in range(rounds):
        t0 = time.perf_counter()
        parent, child = ctx.Pipe()
        p = ctx.Process(target=echo, args=(child,))
        p.start()
        parent.send(b"x")
        parent.recv()
        times.append((time.perf_counter() - t0) * 1000)
        p.join()
    report("start-spawn-echo", times, "ms", higher_is_better=False)


if __name__ == "__main__":
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 7
    what = sys.argv[2:] or ["map", "map1", "queue", "start"]
    for w in what:
        if w == "map":
            bench_map(rounds, 1_000_000, 0, "map")
        elif w == "map1":
            bench_map(rounds, 100_000, 1, "map1")
        elif w == "queue":
            bench_queue(rounds, 200_000)
        elif w == "start":
            bench_start(rounds)
        else:
            sys.exit(f"unknown measurement {w}; use map, map1, queue, start")
