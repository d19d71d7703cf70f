"""HTTP load on loopback for scripts/bench, and the BENCHMARKS.md report.

Server pinned to CPU 0, wrk to CPU 1 (taskset). For each route and kind of
traffic: requests/s, p50 and p99 latency; the server's peak RSS; RSS before
and after 100k requests carrying distinct invalid tokens; and the Flask
reference app under gunicorn (one sync worker) on the same core.
"""

import base64
import hashlib
import hmac
import json
import os
import random
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SECRET = "bench-secret-that-is-long-enough-for-hs256"
DURATION = os.environ.get("BENCH_DURATION", "10s")
CONNECTIONS = os.environ.get("BENCH_CONNECTIONS", "64")
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "7"))
ROUND_DURATION = os.environ.get("BENCH_ROUND_DURATION", "4s")
# The goals' ratios: adjacent runs of the two routes, PAIRS times (see paired()).
PAIRS = int(os.environ.get("BENCH_PAIRS", "20"))
PAIR_DURATION = os.environ.get("BENCH_PAIR_DURATION", "2s")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait(url, timeout=30):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            return urllib.request.urlopen(url, timeout=1).read().decode()
        except Exception:
            time.sleep(0.1)
    raise RuntimeError(f"{url} did not answer")


def rss_kib(pid, field="VmRSS"):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


def wrk(url, header=None, script=None, duration=DURATION):
    cmd = ["taskset", "-c", "1", "wrk", "-t1", f"-c{CONNECTIONS}", f"-d{duration}", "--latency"]
    if header:
        cmd += ["-H", header]
    if script:
        cmd += ["-s", script]
    out = subprocess.run(cmd + [url], capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))

    def pct(p):
        m = re.search(rf"\s{p}%\s+([\d.]+)(us|ms|s)", out)
        value, unit = float(m.group(1)), m.group(2)
        return value * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]

    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {"rps": rps, "p50_ms": pct(50), "p99_ms": pct(99), "non2xx": int(non2xx.group(1)) if non2xx else 0}


def paired(base, other):
    """`other`'s requests/s over `base`'s, from runs next to each other.

    On this shared machine the speed of one core drifts by tens of percent
    over seconds to minutes, which a ratio of two routes measured a minute
    apart inherits. Here the two routes run back to back, PAIRS times (in
    the order AB, then BA, and so on, so neither always goes first), each
    pair gives one ratio, and the median of those ratios is the estimate;
    the quartiles show how far the pairs spread. Each side is (url, header,
    script). Returns (median, lower quartile, upper quartile, ratios).
    """
    ratios = []
    for i in range(PAIRS):
        order = [base, other] if i % 2 == 0 else [other, base]
        runs = []
        for url, header, script in order:
            run = wrk(url, header, script, duration=PAIR_DURATION)
            # Only answered requests compare: a refusal (an expired token,
            # say) would measure another path.
            if run["non2xx"]:
                raise RuntimeError(f"{url}: {run['non2xx']} non-2xx answers in a pair")
            runs.append(run["rps"])
        a, b = runs if i % 2 == 0 else runs[::-1]
        ratios.append(b / a)
    q1, median, q3 = statistics.quantiles(ratios, n=4)
    return median, q1, q3, ratios


INVALID_LUA = """
counter = 0
request = function()
  counter = counter + 1
  local t = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJhbGljZSJ9." .. string.format("%043d", counter):gsub("0", "A")
  return wrk.format("GET", "/protected", {["Authorization"] = "Bearer " .. t})
end
"""


DISTINCT_TOKENS = 1000


def many_tokens_lua(tokens):
    """A wrk script sending the tokens in turn, each with the request's path."""
    table = ",\n".join(f'"{t}"' for t in tokens)
    return f"""
tokens = {{
{table}
}}
counter = 0
request = function()
  counter = counter + 1
  return wrk.format("GET", nil, {{["Authorization"] = "Bearer " .. tokens[(counter % #tokens) + 1]}})
end
"""


def criterion_medians():
    out = {}
    base = os.path.join(ROOT, "target", "criterion")
    if not os.path.isdir(base):
        return out
    for name in os.listdir(base):
        f = os.path.join(base, name, "new", "estimates.json")
        if os.path.exists(f):
            with open(f) as fh:
                out[name] = json.load(fh)["median"]["point_estimate"] / 1000.0  # us
    return out


def svg_chart(rows, path):
    """A horizontal bar chart of requests/s, written by hand (no plotting deps)."""
    width, bar_h, gap, left = 760, 22, 8, 300
    height = 40 + len(rows) * (bar_h + gap)
    top = max(r[1] for r in rows) or 1
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" font-family="sans-serif" font-size="12">',
             f'<text x="10" y="20" font-size="14">HTTP requests/s on one core (wrk, loopback)</text>']
    for i, (label, value) in enumerate(rows):
        y = 35 + i * (bar_h + gap)
        w = (width - left - 90) * value / top
        parts.append(f'<text x="10" y="{y + 15}">{label}</text>')
        parts.append(f'<rect x="{left}" y="{y}" width="{w:.1f}" height="{bar_h}" fill="#4a7bd0"/>')
        parts.append(f'<text x="{left + w + 5:.1f}" y="{y + 15}">{value:,.0f}</text>')
    parts.append("</svg>")
    with open(path, "w") as f:
        f.write("\n".join(parts) + "\n")


def start_redis():
    """A throwaway redis-server on CPU 1 (beside wrk), or None without one."""
    if subprocess.run(["sh", "-c", "command -v redis-server"], capture_output=True).returncode != 0:
        return None, None
    port = free_port()
    proc = subprocess.Popen(["taskset", "-c", "1", "redis-server", "--port", str(port), "--bind", "127.0.0.1",
                             "--save", "", "--appendonly", "no"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 10
    while time.time() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return proc, f"redis://127.0.0.1:{port}/"
        except OSError:
            time.sleep(0.05)
    proc.kill()
    return None, None


# The routes with a revocation store (bench_server with --features redis and REDIS_URL).
STORE_ROUTES = ["protected_memory", "protected_redis", "protected_redis_direct"]
ASYMMETRIC = ["rs256", "es256", "eddsa"]
# The peers (bench/peers, built by scripts/bench into target/peers): label, binary.
PEERS = [("jwt-authorizer 0.15", "peer_jwt_authorizer"),
         ("axum-jwt-auth 0.7", "peer_axum_jwt_auth"),
         ("axum-jwt-extended (own binary)", "peer_axum_jwt_extended")]


def start_peers():
    """The peers' servers on CPU 0, each on its own port: {label: (process, base URL, binary)}."""
    peers = {}
    for label, binary in PEERS:
        path = os.path.join(ROOT, "target", "peers", "release", binary)
        if not os.path.exists(path):
            continue
        port = free_port()
        env = {**os.environ, "JWT_SECRET_KEY": SECRET, "ADDR": f"127.0.0.1:{port}"}
        proc = subprocess.Popen(["taskset", "-c", "0", path], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        base = f"http://127.0.0.1:{port}"
        wait(base + "/unprotected")
        peers[label] = (proc, base, path)
    return peers


def b64(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def hs(payload, alg="HS256"):
    """`payload` signed with the bench secret."""
    head = b64(json.dumps({"alg": alg, "typ": "JWT"}, separators=(",", ":")).encode())
    body = b64(json.dumps(payload, separators=(",", ":")).encode())
    digest = {"HS256": hashlib.sha256, "HS512": hashlib.sha512}[alg]
    return f"{head}.{body}.{b64(hmac.new(SECRET.encode(), f'{head}.{body}'.encode(), digest).digest())}"


def unsafe_tokens(token, refresh):
    """Tokens a careful HS256 service refuses, made from a valid one of ours."""
    payload = json.loads(unb64(token.split(".")[1]))
    now = int(time.time())
    no_exp = {k: v for k, v in payload.items() if k != "exp"}
    none_head = b64(json.dumps({"alg": "none", "typ": "JWT"}).encode())
    return [
        ("a valid token (control)", hs(payload)),
        ("expired 30 s ago (inside a 60 s leeway)", hs({**payload, "iat": now - 930, "nbf": now - 930, "exp": now - 30})),
        ("`nbf` 60 s in the future", hs({**payload, "nbf": now + 60})),
        ("a refresh token on an access route", refresh),
        ("HS512 under the HS256 secret", hs(payload, "HS512")),
        ("`alg: none`, no signature", f"{none_head}.{b64(json.dumps(payload).encode())}."),
        ("no `exp` (Flask-JWT-Extended accepts it: `expires_delta=False`)", hs(no_exp)),
    ]


def status(url, token):
    try:
        return urllib.request.urlopen(urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"}), timeout=5).status
    except urllib.error.HTTPError as e:
        return e.code


def instruction_sections():
    """The instruction counts of scripts/instructions (target/instructions.json,
    written by the step scripts/bench runs before this one) and the committed
    record of what changes to the request path did to them
    (bench/instructions-history.md)."""
    lines = []
    path = os.path.join(ROOT, "target", "instructions.json")
    if os.path.exists(path):
        rows = json.load(open(path))
        lines += ["", "## Instructions per request (callgrind)", "",
                  "`scripts/instructions --runs 3`: the release `bench_server` under valgrind's callgrind, one keep-alive "
                  "connection, (instructions of 1,200 requests - instructions of 200) / 1,000 per route, the median of "
                  "3 server processes; deterministic to within about 1% where requests per second drift by tens of "
                  "percent. Judge a change to the request path by these.", "",
                  "| route | request | instructions per request | over unprotected |", "|---|---|---|---|"]
        for r in rows:
            over = r.get("over_unprotected")
            over = "-" if over is None else f"{over:+,}"
            lines.append(f"| {r['route']} | `{r['request']}` | {r['instructions']:,} | {over} |")
    history = os.path.join(ROOT, "bench", "instructions-history.md")
    if os.path.exists(history):
        lines += ["", open(history).read().strip()]
    return lines


def main():
    port = free_port()
    redis, redis_url = start_redis()
    env = {**os.environ, "JWT_SECRET_KEY": SECRET, "ADDR": f"127.0.0.1:{port}"}
    if redis_url:
        env["REDIS_URL"] = redis_url
    server = subprocess.Popen(["taskset", "-c", "0", os.path.join(ROOT, "target/release/examples/bench_server")],
                              env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    peers = start_peers()
    results = {}
    spread = {}
    try:
        base = f"http://127.0.0.1:{port}"
        token = wait(base + "/token")
        good = f"Authorization: Bearer {token}"
        forged = f"Authorization: Bearer {token[:-4]}AAAA"
        wrk(base + "/unprotected", duration="2s")  # warm up
        # The ratios compare these routes: they are measured in interleaved
        # rounds and each keeps its median round, so that a slow spell of
        # this shared machine hits all of them alike.
        with_stores = redis_url is not None and urllib.request.urlopen(
            urllib.request.Request(base + "/protected_redis", headers={"Authorization": f"Bearer {token}"}),
            timeout=5).status == 200
        compared = [(route, "valid token", f"{base}/{route}", good) for route in
                    ["unprotected", "protected", "protected_uncached", "handwritten", "floor", "protected_cached"]
                    + (STORE_ROUTES if with_stores else [])]
        compared.append(("protected", "forged token", f"{base}/protected", forged))
        for label, (_, peer, _) in peers.items():
            compared.append((f"{label}: unprotected", "-", f"{peer}/unprotected", None))
            compared.append((f"{label}: protected", "valid token", f"{peer}/protected", good))
        for alg in ASYMMETRIC:
            alg_token = f"Authorization: Bearer {wait(f'{base}/token_{alg}')}"
            for route in [f"protected_{alg}", f"protected_{alg}_uncached"]:
                compared.append((route, "valid token", f"{base}/{route}", alg_token))
        rounds = {(route, traffic): [] for route, traffic, _, _ in compared}
        for i in range(ROUNDS):
            # A new order each round (seeded: the same on every run), so that
            # no route always follows the same neighbour.
            order = list(compared)
            random.Random(i).shuffle(order)
            for route, traffic, url, header in order:
                run = wrk(url, header, duration=ROUND_DURATION)
                if traffic != "forged token" and run["non2xx"]:
                    raise RuntimeError(f"{route} ({traffic}): {run['non2xx']} non-2xx answers in a round")
                rounds[(route, traffic)].append(run)
        for key, runs in rounds.items():
            results[key] = sorted(runs, key=lambda r: r["rps"])[len(runs) // 2]
            spread[key] = (min(r["rps"] for r in runs), max(r["rps"] for r in runs))
        # Many users: 1,000 distinct valid tokens in turn (the cache is not a
        # one-token trick).
        tokens = [wait(base + "/token") for _ in range(DISTINCT_TOKENS)]
        with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
            f.write(many_tokens_lua(tokens))
            many = f.name
        for route in ["protected", "protected_cached"] + (["protected_memory", "protected_redis"] if with_stores else []):
            results[(route, f"{DISTINCT_TOKENS:,} distinct valid tokens")] = wrk(f"{base}/{route}", script=many)
        for label, (_, peer, _) in peers.items():
            results[(f"{label}: protected", f"{DISTINCT_TOKENS:,} distinct valid tokens")] = wrk(f"{peer}/protected", script=many)
        # The goals' ratios, from adjacent runs (see paired()), with a token
        # minted now: the rounds above outlast an access token's 15 minutes.
        good = f"Authorization: Bearer {wait(base + '/token')}"
        pairs = {"default": paired((f"{base}/unprotected", good, None), (f"{base}/protected", good, None))}
        if with_stores:
            pairs["redis"] = paired((f"{base}/protected_memory", good, None), (f"{base}/protected_redis", good, None))
            pairs["redis_many"] = paired((f"{base}/protected_memory", None, many), (f"{base}/protected_redis", None, many))
        # What each server accepts (2xx) of tokens a careful service refuses.
        refresh = wait(base + "/refresh_token")
        servers = [("axum-jwt-extended", f"{base}/protected")] + [(label, f"{peer}/protected") for label, (_, peer, _) in peers.items()
                                                                  if not label.startswith("axum-jwt-extended")]
        safety = [(case, [status(url, t) for _, url in servers]) for case, t in unsafe_tokens(wait(base + "/token"), refresh)]
        sizes = {label: os.path.getsize(path) for label, (_, _, path) in peers.items()}
        peer_rss = {label: rss_kib(proc.pid, "VmHWM") for label, (proc, _, _) in peers.items()}
        with open(os.path.join(ROOT, "target", "bench-rounds.json"), "w") as f:
            json.dump({"rounds": {f"{route} ({traffic})": [r["rps"] for r in runs] for (route, traffic), runs in rounds.items()},
                       "pairs (ratios)": {name: p[3] for name, p in pairs.items()}}, f, indent=1)
        results[("handwritten", "forged token")] = wrk(f"{base}/handwritten", forged)
        for route in ["protected", "handwritten"]:
            results[(route, "no token")] = wrk(f"{base}/{route}")
        peak = rss_kib(server.pid, "VmHWM")
        with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
            f.write(INVALID_LUA)
            lua = f.name
        before = rss_kib(server.pid)
        invalid = wrk(base + "/protected", script=lua, duration="10s")
        after = rss_kib(server.pid)
        distinct_requests = invalid["rps"] * 10
    finally:
        server.terminate()
        server.wait()
        for proc, _, _ in peers.values():
            proc.terminate()
            proc.wait()
        if redis:
            redis.terminate()
            redis.wait()

    # Flask-JWT-Extended under gunicorn, same endpoint, same cores.
    fport = free_port()
    venv_bin = os.path.join(ROOT, "target", "parity-venv", "bin")
    flask = subprocess.Popen(["taskset", "-c", "0", os.path.join(venv_bin, "gunicorn"), "-w", "1", "-b", f"127.0.0.1:{fport}",
                              "--chdir", os.path.join(ROOT, "tests", "parity"), "app:app"],
                             env={**os.environ, "JWT_SECRET_KEY": SECRET}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait(f"http://127.0.0.1:{fport}/public")
        flask_result = wrk(f"http://127.0.0.1:{fport}/protected", good)
    finally:
        flask.terminate()
        flask.wait()

    crit = criterion_medians()
    lines = []
    cpu = subprocess.run(["sh", "-c", "grep -m1 'model name' /proc/cpuinfo | cut -d: -f2"], capture_output=True, text=True).stdout.strip()
    lines += ["# Benchmarks", "",
              "Regenerate everything (tables and `tests/benches/chart.svg`) with `scripts/bench`; the instruction counts alone with `scripts/instructions`.", "",
              f"Machine: {os.cpu_count()} cores ({cpu}), `{subprocess.run(['rustc', '--version'], capture_output=True, text=True).stdout.strip()}`, release builds, loopback. The machine is shared and noisy: compare ratios measured in one run, not absolute numbers across runs.", ""]
    if crit:
        lines += ["## Token operations (criterion medians, µs)", "",
                  "`cargo bench --bench tokens`. *verify_request* is everything the guard does with the verified-token cache off: find the token in the header, decode, check the claims, type and freshness, and the in-memory blocklist; *cache hit* is the same with the cache (on by default) holding the token. jsonwebtoken's decode uses an equivalent `Validation` (HS256 or the key's algorithm, leeway 0, `nbf` checked).", "",
                  "| algorithm | ours: create | jsonwebtoken: encode | ours: verify_request | ours: verify_request, cache hit | ours: decode_token | jsonwebtoken: decode | ours: forged token |",
                  "|---|---|---|---|---|---|---|---|"]
        for alg in ["HS256", "RS256", "ES256", "EdDSA"]:
            g = lambda k: crit.get(f"{alg}_{k}")
            fmt = lambda v: f"{v:.2f}" if v is not None else "-"
            lines.append(f"| {alg} | {fmt(g('ours_create_access_token'))} | {fmt(g('jsonwebtoken_encode'))} | {fmt(g('ours_verify_request'))} | {fmt(g('ours_verify_request_cached'))} | {fmt(g('ours_decode_token'))} | {fmt(g('jsonwebtoken_decode'))} | {fmt(g('ours_verify_request_forged'))} |")
        floor = crit.get("HS256_floor_b64+hmac+claims")
        v, d, e, c = (crit.get("HS256_ours_verify_request"), crit.get("HS256_jsonwebtoken_decode"),
                      crit.get("HS256_jsonwebtoken_encode"), crit.get("HS256_ours_create_access_token"))
        if floor and v and d and e and c:
            lines += ["", f"HS256 floor (base64url of the segments + one prekeyed HMAC-SHA256 + parsing the claims): {floor:.2f} µs.", "",
                      "| target (HS256) | measured | goal |", "|---|---|---|",
                      f"| full verification / jsonwebtoken decode | {v / d:.2f}x | <= 0.70x |",
                      f"| full verification / floor | {v / floor:.2f}x | <= 1.60x |",
                      f"| creation / jsonwebtoken encode | {c / e:.2f}x | <= 1.30x |"]
        routes = [("bare_unprotected", "the handler alone, without the manager's layer"),
                  ("unprotected", "the handler alone, under the manager's layer"),
                  ("protected", "behind `#[jwt_required]`"),
                  ("protected_cached", "behind `#[jwt_required]` with the verified-token cache"),
                  ("outer_unprotected", "the handler alone, the layer around the whole router (`jwt.layer().wrap(app)`)"),
                  ("outer_protected", "behind `#[jwt_required]`, the layer around the whole router"),
                  ("handwritten", "behind a hand-written jsonwebtoken extractor"),
                  ("floor", "behind the HS256 floor (no claim checked)"),
                  ("protected_forged", "behind `#[jwt_required]`, forged token (422)")]
        if all(crit.get(f"router_{r}") for r, _ in routes):
            lines += ["", "The whole app in process (`cargo bench --bench router`: routing, layer, extractor, handler, response; no sockets, no HTTP parsing), µs per request:", "",
                      "| route | µs | added to the unprotected handler |", "|---|---|---|"]
            un = crit["router_unprotected"]
            for r, label in routes:
                lines.append(f"| {label} | {crit[f'router_{r}']:.2f} | {crit[f'router_{r}'] - un:+.2f} |")
        if crit.get("blocklist_memory_check_not_revoked"):
            lines += ["", f"Blocklist check (`cargo bench --features redis --bench blocklist`): memory {crit['blocklist_memory_check_not_revoked']:.3f} µs, `RedisBlocklist` answered by its local mirror (Redis on loopback) {crit.get('blocklist_redis_check_not_revoked', 0):.2f} µs."]
    lines += ["", f"## HTTP on loopback (wrk -t1 -c{CONNECTIONS}, server on CPU 0, wrk on CPU 1)", "",
              f"The compared runs (valid tokens, and the forged token on the protected route): {ROUNDS} interleaved rounds of {ROUND_DURATION} each, the routes in a new (seeded) order every round, the median round per route; the lowest and highest rounds show this shared machine's noise (every round is in `target/bench-rounds.json`). Other rows: one run of {DURATION}.", "",
              "| route | traffic | requests/s | rounds: lowest-highest | p50 ms | p99 ms | non-2xx |", "|---|---|---|---|---|---|---|"]
    for (route, traffic), r in results.items():
        lo_hi = f"{spread[(route, traffic)][0]:,.0f}-{spread[(route, traffic)][1]:,.0f}" if (route, traffic) in spread else "-"
        lines.append(f"| {route} | {traffic} | {r['rps']:,.0f} | {lo_hi} | {r['p50_ms']:.2f} | {r['p99_ms']:.2f} | {r['non2xx']} |")
    lines.append(f"| Flask-JWT-Extended (gunicorn, 1 sync worker) | valid token | {flask_result['rps']:,.0f} | - | {flask_result['p50_ms']:.2f} | {flask_result['p99_ms']:.2f} | {flask_result['non2xx']} |")
    un = results[("unprotected", "valid token")]["rps"]
    pr = results[("protected", "valid token")]["rps"]
    hw = results[("handwritten", "valid token")]["rps"]
    fl = results[("floor", "valid token")]["rps"]
    pc = results[("protected_cached", "valid token")]["rps"]

    def row(label, pair, rounds_ratio, goal):
        """A goal's row: the adjacent pairs' estimate when measured, and the rounds' ratio."""
        if pair in pairs:
            median, q1, q3, _ = pairs[pair]
            by_pairs = f"{median:.2f}x ({q1:.2f}-{q3:.2f})"
        else:
            by_pairs = "-"
        return f"| {label} | {by_pairs} | {rounds_ratio:.2f}x | {goal} |"
    if ("protected_redis", "valid token") in results:
        lines += ["", "*protected_memory*, *protected_redis* and *protected_redis_direct* are the same handler with a revocation store: the in-memory one (holding one revocation, so that every request is checked), `RedisBlocklist` as it comes (its local mirror answers the checks of tokens it has seen; a revocation anywhere reaches it by publish), and `RedisBlocklist` with the mirror off (one `MGET` per request). Redis runs on loopback on wrk's core."]
    lines += ["", "*protected* is `#[jwt_required]` with the default configuration, which keeps verified tokens (4,096; `JwtConfigBuilder::verified_token_cache`): a repeated token is verified once, then only its time claims, type, freshness and revocation are checked. *protected_uncached* turns that cache off (every request verified from scratch); *protected_cached* raises it to 10,000 tokens.",
              "", "*floor* is the HS256 floor as an extractor: base64url of the segments, one prekeyed HMAC-SHA256 and borrowed claims, nothing checked. It is the most any HS256 check can reach with these crates, so it bounds the first ratio below.",
              "", f"The goals' ratios are measured twice. *Adjacent pairs*: the two routes run back to back for {PAIR_DURATION} each, {PAIRS} times (AB, then BA, ...), one ratio per pair; the median pair and, in brackets, the middle half of the pairs (quartiles). Adjacent runs share the machine's speed of the moment, which drifts by tens of percent over a minute here, so this is the estimate the goals are read from. *Rounds*: the ratio of the two routes' median rounds above (runs up to a round apart).",
              "", "| target (HTTP) | measured: adjacent pairs | measured: rounds | goal |", "|---|---|---|---|",
              row("`#[jwt_required]` (default configuration) / unprotected", "default", pr / un, ">= 0.88x"),
              row("(bound: floor / unprotected)", None, fl / un, "-"),
              row("`#[jwt_required]` with the verified-token cache off / unprotected", None, results[('protected_uncached', 'valid token')]['rps'] / un, "-"),
              row("`#[jwt_required]` with a 10,000-token cache / unprotected", None, pc / un, "-"),
              *[row(f"`#[jwt_required]` / {label}", None, pr / results[(f'{label}: protected', 'valid token')]['rps'], "> 1.00x")
                for label in peers if not label.startswith("axum-jwt-extended")],
              row("`#[jwt_required]` / floor", None, pr / fl, "-"),
              row("`#[jwt_required]` / hand-written jsonwebtoken extractor", None, pr / hw, ">= 1.15x"),
              row("forged token / valid token verified in full (cache off; requests/s)", None, results[('protected', 'forged token')]['rps'] / results[('protected_uncached', 'valid token')]['rps'], ">= 1.00x"),
              row("forged token / valid token from the cache (requests/s)", None, results[('protected', 'forged token')]['rps'] / pr, "-"),
              *([row("forged token / valid token from the cache (cost in process, `tests/benches/router.rs`)", None, crit['router_protected_forged'] / crit['router_protected'], "-")]
                if crit.get("router_protected_forged") and crit.get("router_protected") else []),
              *([row("`RedisBlocklist` (local mirror, the default) / in-memory blocklist", "redis", results[('protected_redis', 'valid token')]['rps'] / results[('protected_memory', 'valid token')]['rps'], ">= 0.90x"),
                 row(f"`RedisBlocklist` (local mirror) / in-memory blocklist, {DISTINCT_TOKENS:,} distinct tokens", "redis_many", results[('protected_redis', f'{DISTINCT_TOKENS:,} distinct valid tokens')]['rps'] / results[('protected_memory', f'{DISTINCT_TOKENS:,} distinct valid tokens')]['rps'], ">= 0.90x"),
                 row("`RedisBlocklist::local_mirror(0)` (a round trip per request) / in-memory blocklist", None, results[('protected_redis_direct', 'valid token')]['rps'] / results[('protected_memory', 'valid token')]['rps'], "-")]
                if ("protected_redis", "valid token") in results else []),
              f"| `#[jwt_required]` / Flask-JWT-Extended under gunicorn | - | {pr / flask_result['rps']:.0f}x | >= 50x |",
              "", "A forged token is never cached, so it costs a full verification (and a refusal): it is compared with a valid token verified in full, which it must not cost more than. A valid token the cache holds costs less than either.",
              "", f"Peak RSS of the server after the runs above: {peak / 1024:.1f} MiB. "
              f"RSS before and after about {distinct_requests:,.0f} requests with distinct invalid tokens: {before / 1024:.1f} MiB -> {after / 1024:.1f} MiB."]
    if peers:
        lines += ["", "## The peers", "",
                  "The same handler behind each library, set up as its README shows with its defaults, one release binary each (`bench/peers`, HS256, tokio's current-thread scheduler), measured in the interleaved rounds above. *own unprotected* is the peer's own unprotected route, in the same binary.", "",
                  "| server | requests/s, one token | vs its own unprotected | requests/s, 1,000 tokens | vs axum-jwt-extended's default route | peak RSS | binary size |",
                  "|---|---|---|---|---|---|---|"]
        many_key = f"{DISTINCT_TOKENS:,} distinct valid tokens"
        ours_many = results[("protected", many_key)]["rps"]
        lines.append(f"| axum-jwt-extended (bench server, default route) | {pr:,.0f} | {pr / un:.2f}x | {ours_many:,.0f} | 1.00x | - | - |")
        for label in peers:
            p = results[(f"{label}: protected", "valid token")]["rps"]
            u = results[(f"{label}: unprotected", "-")]["rps"]
            m = results[(f"{label}: protected", many_key)]["rps"]
            lines.append(f"| {label} | {p:,.0f} | {p / u:.2f}x | {m:,.0f} | {p / pr:.2f}x | {peer_rss[label] / 1024:.1f} MiB | {sizes[label] / 1048576:.1f} MiB |")
        lines += ["", "What each accepts (2xx) of tokens that axum-jwt-extended refuses, so that nobody reads speed without safety (HTTP status of `GET /protected`):", "",
                  "| token | " + " | ".join(label for label, _ in servers) + " |", "|---|" + "---|" * len(servers)]
        for case, codes in safety:
            lines.append(f"| {case} | " + " | ".join(str(c) for c in codes) + " |")
    lines += ["", "## Asymmetric keys over HTTP", "",
              "The same `#[jwt_required]` handler verifying RS256 (RSA 2048), ES256 and EdDSA (Ed25519) tokens, with the default configuration (the verified-token cache on) and with the cache off: what identity-provider users pay.", "",
              "| algorithm | requests/s, default (cache on) | requests/s, cache off | default / unprotected | cache off / unprotected |", "|---|---|---|---|---|"]
    for alg in ASYMMETRIC:
        c = results[(f"protected_{alg}", "valid token")]["rps"]
        u = results[(f"protected_{alg}_uncached", "valid token")]["rps"]
        lines.append(f"| {alg.upper() if alg != 'eddsa' else 'EdDSA'} | {c:,.0f} | {u:,.0f} | {c / un:.2f}x | {u / un:.2f}x |")
    fleet = os.path.join(ROOT, "target", "fleet-latency.txt")
    if os.path.exists(fleet) and open(fleet).read().strip():
        lines += ["", "## Revocation across a fleet", "",
                  "`tests/fleet.rs` `a_logout_reaches_every_instance_within_100_ms`: two instances of `examples/redis_blocklist.rs` (debug builds) on one Redis; 200 times, a login on A, the token answered twice by B (from its local mirror), a logout on A, then B asked until it refuses; the time from A's answer to B's first 401, one HTTP request to B included (the test fails above 100 ms):", "",
                  "    " + open(fleet).read().strip()]
    lines += instruction_sections()
    with open(os.path.join(ROOT, "BENCHMARKS.md"), "w") as f:
        f.write("\n".join(lines) + "\n")
    svg_chart([(f"{route} ({traffic})", r["rps"]) for (route, traffic), r in results.items()]
              + [("Flask-JWT-Extended + gunicorn", flask_result["rps"])], os.path.join(ROOT, "tests", "benches", "chart.svg"))
    print("\n".join(lines))


if __name__ == "__main__":
    # A stopped run must not leave its servers loading the machine under the
    # next one: SIGTERM unwinds through the `finally` blocks that stop them.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    sys.exit(main())
