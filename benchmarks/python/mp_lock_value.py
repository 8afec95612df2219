"""Python's side of dev.multiproc.benchmarks.LockValueSideBySide: multiprocessing.Lock and Value.

Prints one line per measurement: RESULT python-<name> <median> <best> ops/s.
  lock:   one process acquires and releases an uncontended mp.Lock n times
  lock2:  two processes do that at once on the same lock (total ops/s)
  value:  one process does `with v.get_lock(): v.value += 1` n times (Python's atomic add)
  value2: two processes at once on the same Value; the total is checked exactly
  sem:    one process acquires and releases an mp.Semaphore(2) n times
  isset:  one process polls a clear mp.Event's is_set() n times
Usage: python3 mp_lock_value.py [rounds] [n]
"""
import multiprocessing as mp
import statistics
import sys
import time


def lock_loop(lock, n, ready):
    ready.wait()
    for _ in range(n):
        lock.acquire()
        lock.release()


def value_loop(v, n, ready):
    ready.wait()
    for _ in range(n):
        with v.get_lock():
            v.value += 1


def isset_loop(e, n, ready):
    ready.wait()
    for _ in range(n):
        if e.is_set():
            raise AssertionError("set")


def measure(name, rounds, n, workers, target, arg):
    rates = []
    for _ in range(rounds):
        ready = mp.Barrier(workers + 1)
        ps = [mp.Process(target=target, args=(arg, n, ready)) for _ in range(workers)]
        for p in ps:
            p.start()
        ready.wait()  # process start is not measured: time from when all are running
        t0 = time.perf_counter()
        for p in ps:
            p.join()
        rates.append(n * workers / (time.perf_counter() - t0))
    rounds_text = ", ".join(f"{r:.0f}" for r in rates)
    print(f"RESULT python-{name} {statistics.median_low(rates):.1f} {max(rates):.1f} ops/s   rounds: [{rounds_text}]",
          flush=True)


if __name__ == "__main__":
    mp.set_start_method("fork")
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 7
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 200_000
    lock = mp.Lock()
    v = mp.Value("q", 0)
    measure("lock", rounds, n, 1, lock_loop, lock)
    measure("lock2", rounds, n, 2, lock_loop, lock)
    measure("value", rounds, n, 1, value_loop, v)
    v.value = 0
    measure("value2", rounds, n, 2, value_loop, v)
    assert v.value == 2 * n * rounds, v.value
    measure("sem", rounds, n, 1, lock_loop, mp.Semaphore(2))
    measure("isset", rounds, n, 1, isset_loop, mp.Event())
