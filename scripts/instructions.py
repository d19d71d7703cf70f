#!/usr/bin/env python3
"""Instructions the server executes per HTTP request, counted by valgrind's
callgrind: deterministic to within a few instructions from run to run, unlike
requests per second on a shared machine.

    scripts/instructions.py --bin target/release/examples/bench_server \
        [--redis-url redis://127.0.0.1:6379] [--json target/instructions.json]

`scripts/instructions` builds the server, starts Redis and runs this. For each
route the server (under callgrind, current-thread runtime) gets a warm-up, then
two keep-alive batches of N1 and N2 requests, each between a zeroing and a dump
of callgrind's counters; the figure is (total(N2) - total(N1)) / (N2 - N1), so
what a batch costs once (the dump, the first poll) cancels out, and the median
of --runs server processes is reported (each process has its own random hash
keys and token texts, which move a route by up to about 1%). Every request
must answer 200, or the script exits 1. Only the server is counted: the client
is this script, outside valgrind.
"""
import argparse
import base64
import glob
import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time

SECRET = "instruction-count-secret-of-32-bytes-or-more"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_listening(port, seconds):
    end = time.time() + seconds
    while time.time() < end:
        try:
            socket.create_connection(("127.0.0.1", port), 0.5).close()
            return True
        except OSError:
            time.sleep(0.3)
    return False


def csrf_of(token):
    payload = token.split(".")[1]
    payload += "=" * (-len(payload) % 4)
    return json.loads(base64.urlsafe_b64decode(payload))["csrf"]


class Server:
    """The server under callgrind, driven over one keep-alive connection."""

    def __init__(self, binary, env):
        self.dir = tempfile.mkdtemp(prefix="instructions-")
        self.out = os.path.join(self.dir, "callgrind.out")
        self.port = free_port()
        env = dict(os.environ, ADDR=f"127.0.0.1:{self.port}", JWT_SECRET_KEY=SECRET, **env)
        log = open(os.path.join(self.dir, "valgrind.log"), "w")
        self.proc = subprocess.Popen(
            ["valgrind", "--tool=callgrind", f"--callgrind-out-file={self.out}", binary],
            env=env, stdout=subprocess.DEVNULL, stderr=log)
        if not wait_listening(self.port, 180):
            self.stop()
            sys.exit(f"the server did not listen under valgrind (see {log.name})")
        self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)

    def request(self, method, path, headers):
        self.conn.request(method, path, headers=headers)
        response = self.conn.getresponse()
        body = response.read()
        return response.status, body

    def get_text(self, path):
        status, body = self.request("GET", path, {})
        if status != 200:
            sys.exit(f"GET {path} answered {status}")
        return body.decode()

    def control(self, *args):
        subprocess.run(["callgrind_control", *args, str(self.proc.pid)],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)

    def counted(self, route, n, keep=None):
        """Instructions of n requests of `route` (between a zero and a dump);
        the dump is moved to `keep` when given (for callgrind_annotate)."""
        self.control("--zero")
        for i in range(n):
            status, _ = self.request(route["method"], route["path"], route["headers"](i))
            if status != 200:
                sys.exit(f"{route['name']}: {route['method']} {route['path']} answered {status}")
        before = set(glob.glob(self.out + "*"))
        self.control("--dump")
        end = time.time() + 60
        while time.time() < end:
            for path in set(glob.glob(self.out + "*")) - before:
                with open(path) as f:
                    for line in f:
                        if line.startswith("totals:"):
                            if keep:
                                os.replace(path, keep)
                            else:
                                os.remove(path)
                            return int(line.split()[1])
            time.sleep(0.1)
        sys.exit("callgrind wrote no dump within 60 s")

    def stop(self):
        self.proc.send_signal(signal.SIGINT)
        try:
            self.proc.wait(30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def routes(server, redis):
    """The measured routes: name, method, path, and the headers of request i.
    With `redis`, only the revocation-store routes (their server runs the
    Redis mirror's background tasks, which would add to the other rows)."""
    token = server.get_text("/token")
    bearer = lambda t: (lambda i: {"Authorization": f"Bearer {t}"})
    if redis:
        out = [
            ("memory store, a revocation held", "GET", "/protected_memory", bearer(token),
             "`MemoryBlocklist` holding one revocation"),
            ("Redis, mirror on", "GET", "/protected_redis", bearer(token),
             "`RedisBlocklist` answered by its local mirror"),
        ]
        return [dict(name=n, method=m, path=p, headers=h, what=w) for n, m, p, h, w in out]
    tokens = [server.get_text("/token") for _ in range(1000)]
    out = [
        ("unprotected", "GET", "/unprotected", bearer(token),
         "the handler under the layer, no guard (the same header sent)"),
        ("default", "GET", "/protected", bearer(token),
         "`#[jwt_required]`, default configuration (the token cached)"),
        ("default, 1,000 tokens", "GET", "/protected",
         lambda i: {"Authorization": f"Bearer {tokens[i % len(tokens)]}"},
         "the same, 1,000 distinct tokens in turn (all cached)"),
        ("uncached HS256", "GET", "/protected_uncached", bearer(token),
         "`#[jwt_required]` with the verified-token cache off"),
        ("typed extractor", "GET", "/typed", bearer(token),
         "`Identity<String>` alone"),
        ("HS256 floor", "GET", "/floor", bearer(token),
         "base64 + one HMAC + claims parse, nothing checked"),
        ("hand-written jsonwebtoken", "GET", "/handwritten", bearer(token),
         "a jsonwebtoken 11 extractor"),
    ]
    cookie = server.get_text("/token_cookie")
    csrf = csrf_of(cookie)
    out.append(("cookie with CSRF", "POST", "/protected_cookie",
                lambda i: {"Cookie": f"access_token_cookie={cookie}", "X-CSRF-TOKEN": csrf,
                           "Content-Length": "0"},
                "the access cookie and `X-CSRF-TOKEN` on a POST"))
    for alg in ("rs256", "es256", "eddsa"):
        t = server.get_text(f"/token_{alg}")
        out.append((f"{alg.upper() if alg != 'eddsa' else 'EdDSA'} cached", "GET",
                    f"/protected_{alg}", bearer(t), "default configuration"))
        out.append((f"{alg.upper() if alg != 'eddsa' else 'EdDSA'} uncached", "GET",
                    f"/protected_{alg}_uncached", bearer(t), "the cache off"))
    return [dict(name=n, method=m, path=p, headers=h, what=w) for n, m, p, h, w in out]


def measure(a, redis, results):
    """Starts the server (with `redis` as REDIS_URL when given) and measures
    its routes into `results`."""
    server = Server(a.bin, {"REDIS_URL": redis} if redis else {})
    try:
        for route in routes(server, redis):
            if a.only and route["name"] not in a.only:
                continue
            for i in range(max(200, 1000 if "1,000" in route["name"] else 0)):
                status, _ = server.request(route["method"], route["path"], route["headers"](i))
                if status != 200:
                    sys.exit(f"{route['name']}: warm-up answered {status}")
            small = server.counted(route, a.n1)
            keep = None
            if a.keep:
                os.makedirs(a.keep, exist_ok=True)
                keep = os.path.join(a.keep, route["name"].replace(" ", "_").replace(",", "") + ".out")
            large = server.counted(route, a.n2, keep)
            per = (large - small) / (a.n2 - a.n1)
            results.append({"route": route["name"], "request": f"{route['method']} {route['path']}",
                            "what": route["what"], "instructions": round(per)})
            print(f"{route['name']:<34} {per:>10,.0f}", flush=True)
    finally:
        server.stop()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--bin", required=True)
    ap.add_argument("--redis-url")
    ap.add_argument("--json", default="target/instructions.json")
    ap.add_argument("--n1", type=int, default=200)
    ap.add_argument("--n2", type=int, default=1200)
    ap.add_argument("--only", action="append", help="measure only the routes of these names")
    ap.add_argument("--keep", help="keep each route's larger dump in this folder (callgrind_annotate)")
    ap.add_argument("--runs", type=int, default=3,
                    help="server processes per route set; the median is reported (a process's "
                         "random hash keys and token texts move a route by up to about 1%%)")
    a = ap.parse_args()
    runs = []
    for run in range(a.runs):
        print(f"-- run {run + 1} of {a.runs}", flush=True)
        found = []
        # Two servers: the routes without background work, then (with Redis)
        # the revocation stores' routes, whose server runs the mirror's tasks.
        for redis in [None] + ([a.redis_url] if a.redis_url else []):
            measure(a, redis, found)
        runs.append(found)
    # A loaded machine shifts a whole run (every route, the unprotected one
    # too) by the event loop's extra wake-ups: the guard's cost is read as
    # the median of each run's difference to that run's unprotected route.
    results = []
    for i, r in enumerate(runs[0]):
        each = sorted(run[i]["instructions"] for run in runs)
        over = None
        if all(run[0]["route"] == "unprotected" for run in runs) and i < len(runs[0]):
            diffs = sorted(run[i]["instructions"] - run[0]["instructions"] for run in runs
                           if run[i]["request"] == r["request"] and run[i]["route"] == r["route"])
            over = diffs[len(diffs) // 2] if r["route"] != "unprotected" and diffs else 0
        results.append(dict(r, instructions=each[len(each) // 2], runs=each, over_unprotected=over))
    os.makedirs(os.path.dirname(a.json) or ".", exist_ok=True)
    with open(a.json, "w") as f:
        json.dump(results, f, indent=1)
    print()
    print("| route | request | instructions per request (median of runs) | over unprotected (median of runs) |")
    print("|---|---|---|---|")
    for r in results:
        over = "-" if r["over_unprotected"] is None else f"{r['over_unprotected']:+,}"
        print(f"| {r['route']} | `{r['request']}` | {r['instructions']:,} | {over} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
