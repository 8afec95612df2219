"""Python's side of benchmarks/side-by-side.sh: the same work as dev.multiproc.benchmarks.SideBySide.

Prints one line per measurement: RESULT <name> <value> <unit>   <detail>.
The measurements (the rows of issue 9; the same names and sizes on the Java side):
  map-warm     Pool(2).map(x*x, range(100_000)), default chunks: best of 5 after 2 warm-ups (items/s)
  map-first    the first map of a fresh Pool(2), 100,000 ints: median of 5 fresh pools    (items/s)
  map-long     map-warm at the peak: 150 maps on one pool, median of the last 20        (items/s)
  map1         Pool(2).map(x*x, range(20_000), chunksize=1): best of 5 after 2 warm-ups   (items/s)
  map-lists    Pool(2).map(sum of 3, [[i, i+1, i+2] for i in range(100_000)]): best of 5 after 2 (items/s)
  map-records  Pool(2).map(flip, 100,000 Point dataclasses of two ints and a str): best of 5 after 2 (items/s)
  imap         Pool(2).imap(x*x, range(20_000)), default chunksize (1), consumed to the end:
               best of 5 after 2 warm-ups                                                   (items/s)
  submit       Pool(2).apply_async(one).get(), one at a time: 5 rounds of 2,000, the median round (us)
  queue        Queue(): a child puts 200,000 ints, the parent gets them; median of 3     (items/s)
  queue-bounded  the same through Queue(10_000)                                           (items/s)
  queue-to-child  the other way: the parent puts 200,000 ints on a Queue(), a child gets them;
               each of 3 rounds timed until the child has all; median of 3                  (items/s)
  queue-to-2   the same with two children getting                                         (items/s)
  pipe         Pipe(): a child sends 200,000 ints a round, the parent receives; median of 3 (items/s)
  pipe-to-child  the other way: the parent sends 200,000 ints a round, a child receives; each round
               timed until the child's sum arrives; median of 3 (items/s)
  joinable     JoinableQueue(): the parent puts 200,000 ints, a child gets each and calls
               task_done(); each of 3 rounds timed until join() returns; median of 3       (items/s)
  queue-1k     Queue(10_000), 100,000 1 KiB bytes items (random, non-zero payload)        (items/s)
  queue-1m     Queue(16), 256 1 MiB bytes items per round (random payload)                (MB/s)
  pingpong     two Queues, parent -> child -> parent, 2,000 round trips after 500: median (us)
  pingpong-long  the same at its steady state: the last 5 of 20 x 2,000 round trips (us)
  pipe-pingpong  a Pipe(): the parent sends on one end, a child echoes from the other;
               2,000 round trips after 500: median of 5 (us)
  start-join   Process(target=noop).start(); join(), default start method (fork): median of 10 (ms)
  start-join-spawn  the same with the spawn start method (ms)
  start-join-paced  start-join with a second's pause (untimed) before each (ms)
  script       a whole short script in a fresh interpreter, start to exit:
               with Pool(2) as p: p.map(square, range(100_000)); median of 5 after one (ms)
"""
import dataclasses
import multiprocessing as mp
import os
import random
import statistics
import sys
import time

KIB = bytes(random.Random(1).getrandbits(8) for _ in range(1024))
MIB = random.Random(2).randbytes(1 << 20)


def square(x):
    return x * x


def noop():
    pass


def producer(q, n, item):
    if item is None:
        for i in range(n):
            q.put(i)
    else:
        for _ in range(n):
            q.put(item)


def echo(a, b):
    while True:
        x = a.get()
        if x is None:
            return
        b.put(x)


def taker(q, took, go):
    count = total = 0
    while True:
        x = q.get()
        if x == -1:
            return
        if x == -2:  # end of a round: report, and take no more until every taker has
            took.put((count, total))
            count = total = 0
            go.get()
        else:
            count += 1
            total += x


def bench_queue_to_children(name, consumers, n, rounds):
    """The parent puts n ints a round; consumer processes get them; a round ends when they have all."""
    q, took, go = mp.Queue(), mp.Queue(), mp.Queue()
    ps = [mp.Process(target=taker, args=(q, took, go)) for _ in range(consumers)]
    for p in ps:
        p.start()
    rates = []
    for _ in range(rounds):
        t0 = time.perf_counter()
        for i in range(n):
            q.put(i)
        for _ in range(consumers):
            q.put(-2)
        count = total = 0
        for _ in range(consumers):
            c, t = took.get()
            count += c
            total += t
        rates.append(n / (time.perf_counter() - t0))
        assert count == n and total == n * (n - 1) // 2
        for _ in range(consumers):
            go.put(0)
    for _ in range(consumers):
        q.put(-1)
    for p in ps:
        p.join()
    report(name, statistics.median_low(rates), "items/s", f"median of {rounds}; " + rounds_text(rates))


def pipe_sender(c, n):
    for i in range(n):
        c.send(i)


def pipe_receiver(c, sums, n, rounds):
    for _ in range(rounds):
        total = 0
        for _ in range(n):
            total += c.recv()
        sums.put(total)


def bench_pipe_to_child(n, rounds):
    mine, theirs = mp.Pipe()
    sums = mp.Queue()
    p = mp.Process(target=pipe_receiver, args=(theirs, sums, n, rounds))
    p.start()
    rates = []
    for _ in range(rounds):
        t0 = time.perf_counter()
        for i in range(n):
            mine.send(i)
        total = sums.get()
        rates.append(n / (time.perf_counter() - t0))
        assert total == n * (n - 1) // 2
    p.join()
    report("pipe-to-child", statistics.median_low(rates), "items/s", f"median of {rounds}; " + rounds_text(rates))


def bench_pipe(n, rounds):
    mine, theirs = mp.Pipe()
    p = mp.Process(target=pipe_sender, args=(theirs, rounds * n))
    p.start()
    rates = []
    total = 0
    for _ in range(rounds):
        t0 = time.perf_counter()
        for _ in range(n):
            total += mine.recv()
        rates.append(n / (time.perf_counter() - t0))
    p.join()
    assert total == rounds * n * (rounds * n - 1) // 2 and p.exitcode == 0
    report("pipe", statistics.median_low(rates), "items/s", f"median of {rounds}; " + rounds_text(rates))


def joinable_worker(q):
    while True:
        x = q.get()
        q.task_done()
        if x < 0:
            return


def bench_joinable(n, rounds):
    q = mp.JoinableQueue()
    p = mp.Process(target=joinable_worker, args=(q,))
    p.start()
    rates = []
    for _ in range(rounds):
        t0 = time.perf_counter()
        for i in range(n):
            q.put(i)
        q.join()
        rates.append(n / (time.perf_counter() - t0))
    q.put(-1)
    p.join()
    assert p.exitcode == 0
    report("joinable", statistics.median_low(rates), "items/s", f"median of {rounds}; " + rounds_text(rates))


def report(name, value, unit, detail):
    print(f"RESULT {name} {value:.1f} {unit}   {detail}", flush=True)


def rounds_text(values):
    return "rounds: [" + ", ".join(f"{v:.0f}" for v in values) + "]"


def bench_map_warm(name, n, chunk):
    items = list(range(n))
    rates = []
    with mp.Pool(2) as p:
        for _ in range(7):
            t0 = time.perf_counter()
            out = p.map(square, items) if chunk == 0 else p.map(square, items, chunk)
            rates.append(n / (time.perf_counter() - t0))
            assert out[-1] == (n - 1) * (n - 1)
    report(name, max(rates[2:]), "items/s", "best of 5 after 2 warm-ups; " + rounds_text(rates))


def one():
    return 1


@dataclasses.dataclass
class Point:
    x: int
    y: int
    name: str


def flip(p):
    return Point(p.y, p.x, p.name)


def sum3(l):
    return l[0] + l[1] + l[2]


def bench_map_objects(name):
    n = 100_000
    items = [[i, i + 1, i + 2] for i in range(n)] if name == "map-lists" else [Point(i, -i, "p%d" % i) for i in range(n)]
    fn = sum3 if name == "map-lists" else flip
    rates = []
    with mp.Pool(2) as p:
        for _ in range(7):
            t0 = time.perf_counter()
            out = p.map(fn, items)
            rates.append(n / (time.perf_counter() - t0))
            assert out[-1] == (3 * (n - 1) + 3 if name == "map-lists" else Point(-(n - 1), n - 1, "p%d" % (n - 1)))
    report(name, max(rates[2:]), "items/s", "best of 5 after 2 warm-ups; " + rounds_text(rates))


def bench_imap(n):
    items = list(range(n))
    rates = []
    with mp.Pool(2) as p:
        for _ in range(7):
            t0 = time.perf_counter()
            last = -1
            for last in p.imap(square, items):
                pass
            rates.append(n / (time.perf_counter() - t0))
            assert last == (n - 1) * (n - 1)
    report("imap", max(rates[2:]), "items/s", "best of 5 after 2 warm-ups; " + rounds_text(rates))


def bench_submit(rounds, n):
    us = []
    with mp.Pool(2) as p:
        for _ in range(rounds):
            t0 = time.perf_counter()
            for _ in range(n):
                assert p.apply_async(one).get() == 1
            us.append((time.perf_counter() - t0) * 1e6 / n)
    report("submit", statistics.median(us), "us", "median of %d x %d round trips; " % (rounds, n) + rounds_text(us))


def bench_map_long(n, maps):
    items = list(range(n))
    rates = []
    with mp.Pool(2) as p:
        for _ in range(maps):
            t0 = time.perf_counter()
            out = p.map(square, items)
            rates.append(n / (time.perf_counter() - t0))
            assert out[-1] == (n - 1) * (n - 1)
    last = rates[-20:]
    report("map-long", statistics.median_low(last), "items/s", f"median of the last 20 of {maps} maps on one pool; " + rounds_text(last))


def bench_map_first(n):
    items = list(range(n))
    rates = []
    for _ in range(5):
        with mp.Pool(2) as p:
            t0 = time.perf_counter()
            out = p.map(square, items)
            rates.append(n / (time.perf_counter() - t0))
            assert out[-1] == (n - 1) * (n - 1)
    report("map-first", statistics.median_low(rates), "items/s", "median of 5 fresh pools; " + rounds_text(rates))


def bench_queue(name, max_size, n, item, rounds, unit_bytes=0):
    """One producer process puts rounds * n items; each round times the parent getting n."""
    q = mp.Queue(max_size)
    p = mp.Process(target=producer, args=(q, rounds * n, item))
    p.start()
    rates = []
    total = 0
    for _ in range(rounds):
        t0 = time.perf_counter()
        if item is None:
            for _ in range(n):
                total += q.get()
        else:
            for _ in range(n):
                total += len(q.get())
        dt = time.perf_counter() - t0
        rates.append(n * unit_bytes / 1e6 / dt if unit_bytes else n / dt)
    p.join()
    if item is None:
        assert total == rounds * n * (rounds * n - 1) // 2
    else:
        assert total == rounds * n * len(item)
    unit = "MB/s" if unit_bytes else "items/s"
    report(name, statistics.median_low(rates), unit, f"median of {rounds}; " + rounds_text(rates))


def round_trips(rounds, trip):
    """500 round trips to warm up, then rounds of 2,000: the mean of each round, us per round trip."""
    for i in range(500):
        trip(i)
    lat = []
    for _ in range(rounds):
        t0 = time.perf_counter()
        for i in range(2000):
            trip(i)
        lat.append((time.perf_counter() - t0) / 2000 * 1e6)
    return lat


def bench_pingpong(name="pingpong", rounds=5):
    a, b = mp.Queue(), mp.Queue()
    p = mp.Process(target=echo, args=(a, b))
    p.start()

    def trip(i):
        a.put(i)
        assert b.get() == i

    lat = round_trips(rounds, trip)
    a.put(None)
    p.join()
    how = "median of 5 x 2,000 round trips; " if rounds == 5 else f"median of the last 5 of {rounds} x 2,000 round trips; "
    report(name, statistics.median_low(lat[-5:]), "us", how + rounds_text(lat))


def pipe_echo(c):
    while True:
        x = c.recv()
        if x < 0:
            return
        c.send(x)


def bench_pipe_pingpong(rounds=5):
    here, there = mp.Pipe()
    p = mp.Process(target=pipe_echo, args=(there,))
    p.start()

    def trip(i):
        here.send(i)
        assert here.recv() == i

    lat = round_trips(rounds, trip)
    here.send(-1)
    p.join()
    report("pipe-pingpong", statistics.median_low(lat), "us", f"median of {rounds} x 2,000 round trips; " + rounds_text(lat))


def bench_start_join(name, method, pause=0.0):
    ctx = mp.get_context(method)
    times = []
    for _ in range(10):
        time.sleep(pause)
        t0 = time.perf_counter()
        p = ctx.Process(target=noop)
        p.start()
        p.join()
        times.append((time.perf_counter() - t0) * 1000)
        assert p.exitcode == 0
    report(name, statistics.median_low(times), "ms", f"median of 10 ({method}); " + rounds_text(times))


def script_child():
    with mp.Pool(2) as p:
        out = p.map(square, range(100_000))
    assert out[-1] == 99_999 * 99_999


def bench_script():
    import subprocess
    times = []
    for r in range(6):
        t0 = time.perf_counter()
        subprocess.run([sys.executable, os.path.abspath(__file__), "script-child"], check=True)
        if r > 0:
            times.append((time.perf_counter() - t0) * 1000)
    report("script", statistics.median_low(times), "ms", "median of 5 after one; " + rounds_text(times))


MEASUREMENTS = {
    "map-warm": lambda: bench_map_warm("map-warm", 100_000, 0),
    "map-first": lambda: bench_map_first(100_000),
    "map-long": lambda: bench_map_long(100_000, 150),
    "map1": lambda: bench_map_warm("map1", 20_000, 1),
    "map-lists": lambda: bench_map_objects("map-lists"),
    "map-records": lambda: bench_map_objects("map-records"),
    "imap": lambda: bench_imap(20_000),
    "submit": lambda: bench_submit(5, 2_000),
    "queue": lambda: bench_queue("queue", 0, 200_000, None, 3),
    "queue-bounded": lambda: bench_queue("queue-bounded", 10_000, 200_000, None, 3),
    "queue-to-child": lambda: bench_queue_to_children("queue-to-child", 1, 200_000, 3),
    "queue-to-2": lambda: bench_queue_to_children("queue-to-2", 2, 200_000, 3),
    "joinable": lambda: bench_joinable(200_000, 3),
    "pipe": lambda: bench_pipe(200_000, 3),
    "pipe-to-child": lambda: bench_pipe_to_child(200_000, 3),
    "queue-1k": lambda: bench_queue("queue-1k", 10_000, 100_000, KIB, 3),
    "queue-1m": lambda: bench_queue("queue-1m", 16, 256, MIB, 3, 1 << 20),
    "pingpong": bench_pingpong,
    "pingpong-long": lambda: bench_pingpong("pingpong-long", 20),
    "pipe-pingpong": bench_pipe_pingpong,
    "start-join": lambda: bench_start_join("start-join", "fork"),
    "start-join-spawn": lambda: bench_start_join("start-join-spawn", "spawn"),
    "start-join-paced": lambda: bench_start_join("start-join-paced", "fork", 1.0),
    "script": bench_script,
    "script-child": script_child,
}

if __name__ == "__main__":
    what = sys.argv[1:] or list(MEASUREMENTS)
    for w in what:
        if w not in MEASUREMENTS:
            sys.exit(f"unknown measurement {w}; use one of {', '.join(MEASUREMENTS)}")
        MEASUREMENTS[w]()
