"""Live differential suite: Flask-JWT-Extended (the oracle) against our
examples/parity.rs, request by request.

Starts tests/parity/app.py (Flask-JWT-Extended from PyPI) and the Rust parity
example on two loopback ports with one secret, sends both the same requests
and fails on any difference in status code or JSON body. Tokens in bodies are
compared by shape: header, claim names and values, with timestamps, `jti` and
`csrf` compared by type. The deliberate hardening points of the crate docs are
checked for our stricter answer instead.

    python tests/parity/run_parity.py        # builds and runs the Rust side itself
"""

import base64
import hashlib
import hmac
import json
import os
import socket
import subprocess
import sys
import time

import jwt as pyjwt
import requests

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SECRET = "parity-secret-that-is-long-enough-for-hs256"
NOW = int(time.time())


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(cmd, port, log_name):
    env = {**os.environ, "JWT_SECRET_KEY": SECRET, "ADDR": f"127.0.0.1:{port}"}
    log = open(os.path.join(ROOT, "target", log_name), "w")
    return subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)


def wait_ready(base: str, proc, timeout=60.0):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{base} exited with {proc.returncode}")
        try:
            if requests.get(base + "/public", timeout=1).status_code == 200:
                return
        except requests.RequestException:
            time.sleep(0.1)
    raise RuntimeError(f"{base} did not start within {timeout}s")


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def raw(header: str, payload: str, secret: str = SECRET, digest=hashlib.sha256, pad_sig=False) -> str:
    signing_input = b64(header.encode()) + "." + b64(payload.encode())
    sig = b64(hmac.new(secret.encode(), signing_input.encode(), digest).digest())
    if pad_sig:
        sig += "=" * (-len(sig) % 4)
    return signing_input + "." + sig


def claims(**overrides) -> dict:
    """Flask's claim layout at NOW; DROP removes a claim."""
    c = {
        "fresh": False,
        "iat": NOW - 10,
        "jti": "d5b4c1f0-3e9a-4c5e-8f7a-1b2c3d4e5f60",
        "type": "access",
        "sub": "test",
        "nbf": NOW - 10,
        "exp": NOW + 3600,
    }
    for k, v in overrides.items():
        if v is DROP:
            c.pop(k, None)
        else:
            c[k] = v
    return c


DROP = object()


def mint(**overrides) -> str:
    return pyjwt.encode(claims(**overrides), SECRET, algorithm="HS256")


def shape(value):
    """A JWT reduced to what must match: header, claims, timestamps by type."""
    if isinstance(value, str) and value.count(".") == 2 and value.startswith("eyJ"):
        h, p, _ = value.split(".")
        pad = lambda s: s + "=" * (-len(s) % 4)
        header = json.loads(base64.urlsafe_b64decode(pad(h)))
        payload = json.loads(base64.urlsafe_b64decode(pad(p)))
        out = {}
        for k, v in payload.items():
            if k in ("iat", "nbf", "exp", "jti", "csrf"):
                out[k] = type(v).__name__
            elif k == "fresh" and not isinstance(v, bool):
                out[k] = type(v).__name__
            else:
                out[k] = v
        return {"jwt_header": header, "jwt_claims": out}
    if isinstance(value, dict):
        return {k: shape(v) for k, v in value.items()}
    if isinstance(value, list):
        return [shape(v) for v in value]
    return value


def set_cookie_shapes(response):
    """The Set-Cookie headers as (name, attributes): values, dates and order aside."""
    shapes = []
    for header in response.raw.headers.getlist("Set-Cookie"):
        name_value, *attrs = [p.strip() for p in header.split(";")]
        name, _, value = name_value.partition("=")
        keep = sorted(a.split("=", 1)[0].lower() + ("=" + a.split("=", 1)[1] if a.lower().startswith(("path", "samesite", "domain", "max-age")) else "") for a in attrs)
        shapes.append((name, "empty" if value == "" else "set", keep))
    return sorted(shapes)


class Suite:
    def __init__(self, flask: str, rust: str):
        self.flask, self.rust = flask, rust
        self.passed = 0
        self.failures = []

    def send(self, base, method, path, token=None, auth=None, body=None, json_body=None, headers=None, full=False):
        headers = dict(headers or {})
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        if auth is not None:
            headers["Authorization"] = auth
        r = requests.request(method, base + path, headers=headers, data=body, json=json_body, timeout=10)
        try:
            payload = r.json()
        except ValueError:
            payload = None
        if full:
            return r.status_code, payload, set_cookie_shapes(r)
        return r.status_code, payload

    def same(self, name, method, path, **kw):
        f = self.send(self.flask, method, path, **kw)
        r = self.send(self.rust, method, path, **kw)
        if f[0] == r[0] and shape(f[1]) == shape(r[1]):
            self.passed += 1
        else:
            self.failures.append(f"{name}: {method} {path}: flask {f[0]} {f[1]} / ours {r[0]} {r[1]}")
        return f, r

    def same_cookies(self, name, method, path, **kw):
        """Same status, body shape and Set-Cookie attributes."""
        f = self.send(self.flask, method, path, full=True, **kw)
        r = self.send(self.rust, method, path, full=True, **kw)
        if f[0] == r[0] and shape(f[1]) == shape(r[1]) and f[2] == r[2] and f[2]:
            self.passed += 1
        else:
            self.failures.append(f"{name}: {method} {path}: flask {f[0]} {f[2]} / ours {r[0]} {r[2]}")
        return f, r

    def deviation(self, name, method, path, flask_status, our_status, our_msg_check, **kw):
        """A documented hardening point: Flask answers one way, we another."""
        f = self.send(self.flask, method, path, **kw)
        r = self.send(self.rust, method, path, **kw)
        msg = (r[1] or {}).get("msg", "")
        if f[0] == flask_status and r[0] == our_status and our_msg_check(msg):
            self.passed += 1
        else:
            self.failures.append(f"deviation {name}: flask {f[0]} {f[1]} / ours {r[0]} {r[1]}")

    def check(self, name, ok, detail=""):
        if ok:
            self.passed += 1
        else:
            self.failures.append(f"{name}: {detail}")


def run(s: Suite):
    # Unprotected and login.
    s.same("public", "GET", "/public")
    s.same("login ok", "POST", "/login", json_body={"username": "test", "password": "test"})
    s.same("login bad password", "POST", "/login", json_body={"username": "test", "password": "x"})
    s.same("login bad username", "POST", "/login", json_body={"username": "root", "password": "test"})
    s.same("login missing password", "POST", "/login", json_body={"username": "test"})
    s.same("login not json", "POST", "/login", body="username=test&password=test")
    s.same("login empty", "POST", "/login")
    s.same("login array", "POST", "/login", json_body=["test", "test"])

    # Tokens minted by each server, presented to both.
    creds = {"username": "test", "password": "test"}
    f_login = s.send(s.flask, "POST", "/login", json_body=creds)[1]
    r_login = s.send(s.rust, "POST", "/login", json_body=creds)[1]
    tokens = {
        "flask access": f_login["access_token"],
        "flask refresh": f_login["refresh_token"],
        "our access": r_login["access_token"],
        "our refresh": r_login["refresh_token"],
    }
    for name, token in tokens.items():
        for method, path in [("GET", "/protected"), ("GET", "/fresh"), ("GET", "/optional"), ("POST", "/refresh")]:
            s.same(f"{name} on {path}", method, path, token=token)

    # Refreshed (non-fresh) access tokens.
    for name in ["flask refresh", "our refresh"]:
        f, r = s.same(f"refresh with {name}", "POST", "/refresh", token=tokens[name])
        for label, (status, body) in [("flask", f), ("ours", r)]:
            if status == 200:
                new = body["access_token"]
                s.same(f"{label}-refreshed token on /fresh", "GET", "/fresh", token=new)
                s.same(f"{label}-refreshed token on /protected", "GET", "/protected", token=new)

    # No token.
    for method, path in [("GET", "/protected"), ("GET", "/fresh"), ("GET", "/optional"), ("POST", "/refresh"), ("DELETE", "/logout")]:
        s.same(f"no token on {path}", method, path)

    # The Authorization header.
    access = tokens["flask access"]
    for label, auth in [
        ("basic scheme", "Basic dGVzdDp0ZXN0"),
        ("bearer alone", "Bearer"),
        ("two tokens", f"Bearer {access} {access}"),
        ("lowercase bearer", f"bearer {access}"),
        ("two bearer fields", f"Bearer {access}, Bearer {access}"),
        ("basic then bearer", f"Basic abc, Bearer {access}"),
        ("empty", ""),
    ]:
        s.same(f"header {label}", "GET", "/protected", auth=auth)
        s.same(f"header {label}, optional", "GET", "/optional", auth=auth)

    # Malformed tokens.
    head, body, sig = access.split(".")
    for label, token in [
        ("one segment", "abc"),
        ("two segments", "abc.def"),
        ("four segments", f"{access}.x"),
        ("header not base64", f"!!!.{body}.{sig}"),
        ("header not an object", raw("[1]", json.dumps(claims()))),
        ("payload not an object", raw('{"alg":"HS256"}', "[1]")),
        ("kid not a string", raw('{"alg":"HS256","kid":1}', json.dumps(claims()))),
        ("crit unknown", raw('{"alg":"HS256","crit":["x"]}', json.dumps(claims()))),
        ("no alg", raw('{"typ":"JWT"}', json.dumps(claims()))),
        ("tampered payload", f"{head}.{b64(json.dumps(claims(sub='admin')).encode())}.{sig}"),
        ("wrong secret", raw('{"alg":"HS256","typ":"JWT"}', json.dumps(claims()), secret="not-the-secret")),
        ("HS512 with the secret", raw('{"alg":"HS512","typ":"JWT"}', json.dumps(claims()), digest=hashlib.sha512)),
        ("RS256 header", raw('{"alg":"RS256","typ":"JWT"}', json.dumps(claims()))),
        ("empty signature", f"{head}.{body}."),
    ] + [
        (f"alg {alg}", b64(('{"alg":"%s","typ":"JWT"}' % alg).encode()) + "." + b64(json.dumps(claims()).encode()) + ".")
        for alg in ["none", "None", "NONE", "nOnE"]
    ]:
        s.same(f"token {label}", "GET", "/protected", token=token)

    # Claims.
    for label, token, path, method in [
        ("expired", mint(exp=NOW - 60), "/protected", "GET"),
        ("expired refresh", mint(exp=NOW - 60, type="refresh"), "/refresh", "POST"),
        ("expired without sub", mint(exp=NOW - 60, sub=DROP), "/protected", "GET"),
        ("nbf in the future", mint(nbf=NOW + 3600), "/protected", "GET"),
        ("iat in the future", mint(iat=NOW + 3600), "/protected", "GET"),
        ("missing sub", mint(sub=DROP), "/protected", "GET"),
        ("sub is a number", mint(sub=5), "/protected", "GET"),
        ("jti is a number", mint(jti=5), "/protected", "GET"),
        ("exp is a string", mint(exp="tomorrow"), "/protected", "GET"),
        ("iat is a word", mint(iat="yesterday"), "/protected", "GET"),
        ("no exp", mint(exp=DROP), "/protected", "GET"),
        ("no type", mint(type=DROP), "/protected", "GET"),
        ("no type on refresh", mint(type=DROP), "/refresh", "POST"),
        ("refresh type on protected", mint(type="refresh"), "/protected", "GET"),
        # Flask's verify_token_type: any type but "refresh" is a non-refresh token.
        ("type ACCESS on protected", mint(type="ACCESS"), "/protected", "GET"),
        ("type odd on protected", mint(type="odd"), "/protected", "GET"),
        ("type null on protected", mint(type=None), "/protected", "GET"),
        ("type Refresh on protected", mint(type="Refresh"), "/protected", "GET"),
        ("type odd on refresh", mint(type="odd"), "/refresh", "POST"),
        ("type null on refresh", mint(type=None), "/refresh", "POST"),
        ("foreign aud", mint(aud="another-service"), "/protected", "GET"),
        ("fresh until the future", mint(fresh=NOW + 3600.5), "/fresh", "GET"),
        ("fresh until the past", mint(fresh=NOW - 3600.5), "/fresh", "GET"),
        ("fresh missing", mint(fresh=DROP), "/fresh", "GET"),
        ("fresh true", mint(fresh=True), "/fresh", "GET"),
        ("exp float", mint(exp=NOW + 3600.7), "/protected", "GET"),
    ]:
        s.same(f"claims {label}", method, path, token=token)
    s.same("optional with an invalid token", "GET", "/optional", token="a.b.c")
    s.same("optional with an expired token", "GET", "/optional", token=mint(exp=NOW - 60))

    # Revocation: the same token is revoked on both servers, then refused by both.
    revoked_access = mint(jti="11111111-2222-4333-8444-555555555555")
    revoked_refresh = mint(jti="66666666-7777-4888-8999-000000000000", type="refresh")
    s.same("access before logout", "GET", "/protected", token=revoked_access)
    s.same("logout access", "DELETE", "/logout", token=revoked_access)
    s.same("access after logout", "GET", "/protected", token=revoked_access)
    s.same("logout again", "DELETE", "/logout", token=revoked_access)
    s.same("logout refresh", "DELETE", "/logout", token=revoked_refresh)
    s.same("refresh after logout", "POST", "/refresh", token=revoked_refresh)
    s.same("other jti unaffected", "GET", "/protected", token=mint(jti="aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee"))

    # Deliberate hardening (see the crate docs): Flask accepts or crashes, we refuse.
    s.deviation(
        "duplicate sub", "GET", "/protected", 200, 422,
        lambda m: m.startswith("Invalid payload string: duplicate member name"),
        token=raw('{"alg":"HS256","typ":"JWT"}', json.dumps(claims())[:-1] + ', "sub": "admin"}'),
    )
    s.deviation(
        "padded signature", "GET", "/protected", 200, 422,
        lambda m: m == "Invalid crypto padding",
        token=raw('{"alg":"HS256","typ":"JWT"}', json.dumps(claims()), pad_sig=True),
    )
    s.deviation(
        "fresh is a string", "GET", "/fresh", 500, 422,
        lambda m: m == "Fresh claim (fresh) must be a boolean or a number.",
        token=mint(fresh="yes"),
    )
    s.deviation(
        "iat is a numeric string", "GET", "/protected", 200, 422,
        lambda m: m == "Issued At claim (iat) must be an integer.",
        token=mint(iat=str(NOW - 10)),
    )

    # Signature first: a forged token's payload is never parsed (Flask's
    # unverified pre-decode reports the payload first; both 422).
    s.deviation(
        "forged token whose payload is not JSON", "GET", "/protected", 422, 422,
        lambda m: m == "Signature verification failed",
        token=raw('{"alg":"HS256","typ":"JWT"}', "{broken", secret="not-the-secret"),
    )
    # The same with a valid signature: the payload's 422 from both (the detail
    # after the prefix is serde_json's, documented).
    s.deviation(
        "signed token whose payload is not JSON", "GET", "/protected", 422, 422,
        lambda m: m.startswith("Invalid payload string: "),
        token=raw('{"alg":"HS256","typ":"JWT"}', "{broken"),
    )

    s.deviation(
        "whitespace-only header field", "GET", "/protected", 500, 401,
        lambda m: m.startswith("Missing 'Bearer' type"),
        auth=", ,",
    )
    s.deviation(
        "whitespace-only header field, optional", "GET", "/optional", 500, 200,
        lambda m: m == "",
        auth=", ,",
    )

    # Our answers carry the RFC 6750 challenge on 401s.
    r = requests.get(s.rust + "/protected", timeout=10)
    s.check("WWW-Authenticate on 401", r.headers.get("WWW-Authenticate") == "Bearer", str(r.headers))


def run_locations(s: Suite):
    """Both apps configured with JWT_TOKEN_LOCATION=headers,cookies,query_string,json."""
    creds = {"username": "test", "password": "test"}
    s.same("no token anywhere", "GET", "/protected")
    s.same("no token anywhere, optional", "GET", "/optional")
    s.same("empty query parameter", "GET", "/protected?jwt=")
    s.same_cookies("login sets cookies", "POST", "/login", json_body=creds)

    f_login = s.send(s.flask, "POST", "/login", json_body=creds)[1]
    access, refresh = f_login["access_token"], f_login["refresh_token"]
    csrf_access = pyjwt.decode(access, SECRET, algorithms=["HS256"])["csrf"]
    csrf_refresh = pyjwt.decode(refresh, SECRET, algorithms=["HS256"])["csrf"]
    cookie = {"Cookie": f"access_token_cookie={access}; refresh_token_cookie={refresh}"}

    # Query string and JSON body.
    s.same("query string token", "GET", f"/protected?jwt={access}")
    s.same("query string refresh token", "GET", f"/protected?jwt={refresh}")
    s.same("json body token", "GET", "/protected", json_body={"access_token": access})
    s.same("json body refresh on /refresh", "POST", "/refresh", json_body={"refresh_token": refresh})
    s.same("json body access key on /refresh", "POST", "/refresh", json_body={"access_token": refresh})
    s.same("json body token is a number", "GET", "/protected", json_body={"access_token": 5})
    s.same("json body token is empty", "GET", "/protected", json_body={"access_token": ""})
    s.same("json body not json", "GET", "/protected", body="{broken", headers={"Content-Type": "application/json"})

    # Cookies and CSRF.
    s.same("cookie on GET", "GET", "/protected", headers=cookie)
    s.same("cookie on /fresh", "GET", "/fresh", headers=cookie)
    s.same("refresh cookie, no CSRF", "POST", "/refresh", headers=cookie)
    s.same("refresh cookie, wrong CSRF", "POST", "/refresh", headers={**cookie, "X-CSRF-TOKEN": "wrong"})
    s.same("refresh cookie, access CSRF", "POST", "/refresh", headers={**cookie, "X-CSRF-TOKEN": csrf_access})
    s.same("refresh cookie, CSRF", "POST", "/refresh", headers={**cookie, "X-CSRF-TOKEN": csrf_refresh})
    s.same("bad header before a good cookie", "GET", "/protected", headers={**cookie, "Authorization": "Bearer"})
    s.same("a non-ASCII cookie beside the token cookie", "GET", "/protected",
           headers={"Cookie": f"theme=d\u00e9cor; access_token_cookie={access}; other=\u00ff"})
    s.same("refresh token in the access cookie", "GET", "/protected", headers={"Cookie": f"access_token_cookie={refresh}"})
    no_csrf_claim = mint()
    s.same("token without csrf claim", "DELETE", "/logout", headers={"Cookie": f"access_token_cookie={no_csrf_claim}", "X-CSRF-TOKEN": "x"})

    revoked = mint(jti="12121212-3434-4565-8787-909090909090", csrf="c5f0a1b2-0000-4000-8000-000000000001")
    revoked_cookie = {"Cookie": f"access_token_cookie={revoked}"}
    s.same("logout by cookie, no CSRF", "DELETE", "/logout", headers=revoked_cookie)
    s.same_cookies("logout by cookie", "DELETE", "/logout", headers={**revoked_cookie, "X-CSRF-TOKEN": "c5f0a1b2-0000-4000-8000-000000000001"})
    s.same("cookie after logout", "GET", "/protected", headers=revoked_cookie)

    # Deliberate hardening on locations.
    s.deviation(
        "two access cookies", "GET", "/protected", 200, 422,
        lambda m: m == 'Multiple cookies named "access_token_cookie"',
        headers={"Cookie": f"access_token_cookie={access}; access_token_cookie={mint(sub='admin')}"},
    )
    s.deviation(
        "json body is a list", "GET", "/protected", 500, 401,
        lambda m: m.startswith("Missing JWT in headers, cookies, query_string or json"),
        json_body=[access],
    )


def run_rs256(s: Suite):
    """Both apps on RS256 with the same PEM key pair."""
    creds = {"username": "test", "password": "test"}
    s.same("login", "POST", "/login", json_body=creds)
    f_login = s.send(s.flask, "POST", "/login", json_body=creds)[1]
    r_login = s.send(s.rust, "POST", "/login", json_body=creds)[1]
    for name, login in [("flask", f_login), ("ours", r_login)]:
        alg = pyjwt.get_unverified_header(login["access_token"])["alg"]
        s.check(f"{name} signs with RS256", alg == "RS256", alg)
        for method, path in [("GET", "/protected"), ("GET", "/fresh"), ("POST", "/refresh")]:
            s.same(f"{name} access on {path}", method, path, token=login["access_token"])
            s.same(f"{name} refresh on {path}", method, path, token=login["refresh_token"])
    with open(os.path.join(ROOT, "tests/fixtures/keys/rsa2048-private.pem")) as f:
        private = f.read()
    with open(os.path.join(ROOT, "tests/fixtures/keys/rsa2048-other-private.pem")) as f:
        other = f.read()
    public_pem = open(os.path.join(ROOT, "tests/fixtures/keys/rsa2048-public.pem")).read()
    for label, token in [
        ("RS256 by PyJWT", pyjwt.encode(claims(), private, algorithm="RS256")),
        ("PS256 by PyJWT", pyjwt.encode(claims(), private, algorithm="PS256")),
        ("RS512 by PyJWT", pyjwt.encode(claims(), private, algorithm="RS512")),
        ("RS256 with another key", pyjwt.encode(claims(), other, algorithm="RS256")),
        ("expired RS256", pyjwt.encode(claims(exp=NOW - 60), private, algorithm="RS256")),
        ("HS256 with the public key as secret", raw('{"alg":"HS256","typ":"JWT"}', json.dumps(claims()), secret=public_pem)),
        ("HS256 with the shared secret", mint()),
        ("alg none", b64(b'{"alg":"none"}') + "." + b64(json.dumps(claims()).encode()) + "."),
    ]:
        s.same(f"token {label}", "GET", "/protected", token=token)


def serve_both(locations: str, run_cases, extra_env=None):
    env_locations = {"JWT_TOKEN_LOCATION": locations, **(extra_env or {})}
    for key in ("JWT_ALGORITHM", "JWT_PRIVATE_KEY_FILE", "JWT_PUBLIC_KEY_FILE", "JWT_CSRF_CHECK_FORM"):
        os.environ.pop(key, None)
    os.environ.update(env_locations)
    fport, rport = free_port(), free_port()
    flask = start([sys.executable, "tests/parity/app.py"], fport, f"parity-flask-{locations}.log")
    rust = start([os.path.join(ROOT, "target", "debug", "examples", "parity")], rport, f"parity-rust-{locations}.log")
    try:
        fbase, rbase = f"http://127.0.0.1:{fport}", f"http://127.0.0.1:{rport}"
        wait_ready(fbase, flask)
        wait_ready(rbase, rust)
        suite = Suite(fbase, rbase)
        run_cases(suite)
        return suite
    finally:
        for p in (flask, rust):
            p.terminate()
        for p in (flask, rust):
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()


def multipart(parts, boundary="parity0boundary"):
    """A multipart/form-data body: (name, value) text fields, or (name, value, filename) files."""
    out = b""
    for part in parts:
        name, value = part[0], part[1]
        disposition = f'form-data; name="{name}"'
        if len(part) == 3:
            disposition += f'; filename="{part[2]}"'
        out += f"--{boundary}\r\nContent-Disposition: {disposition}\r\n\r\n".encode() + value.encode() + b"\r\n"
    out += f"--{boundary}--\r\n".encode()
    return out, {"Content-Type": f"multipart/form-data; boundary={boundary}"}


def run_csrf_form(s: Suite):
    """Both apps with JWT_CSRF_CHECK_FORM on: the CSRF value in urlencoded and multipart forms."""
    creds = {"username": "test", "password": "test"}
    login = requests.post(s.flask + "/login", json=creds, timeout=10).json()
    refresh = login["refresh_token"]
    csrf = pyjwt.decode(refresh, SECRET, algorithms=["HS256"])["csrf"]
    cookie = {"Cookie": f"refresh_token_cookie={refresh}"}
    form = {**cookie, "Content-Type": "application/x-www-form-urlencoded"}
    s.same("urlencoded field", "POST", "/refresh", headers=form, body=f"a=1&csrf_token={csrf}")
    s.same("urlencoded wrong field", "POST", "/refresh", headers=form, body="csrf_token=wrong")
    s.same("urlencoded no field", "POST", "/refresh", headers=form, body="a=1")
    for label, parts in [
        ("multipart field", [("title", "x"), ("csrf_token", csrf), ("file", "\x00bytes", "a.bin")]),
        ("multipart wrong field", [("csrf_token", "wrong")]),
        ("multipart no field", [("title", "x")]),
        ("multipart field sent as a file", [("csrf_token", csrf, "csrf.txt")]),
        ("multipart first of two fields", [("csrf_token", csrf), ("csrf_token", "wrong")]),
    ]:
        body, content_type = multipart(parts)
        s.same(label, "POST", "/refresh", headers={**cookie, **content_type}, body=body)
    s.same("multipart malformed", "POST", "/refresh",
           headers={**cookie, "Content-Type": "multipart/form-data; boundary=zzz"}, body=b"not multipart")
    body, content_type = multipart([("csrf_token", "wrong")])
    s.same("header wins over the form", "POST", "/refresh", headers={**cookie, **content_type, "X-CSRF-TOKEN": csrf}, body=body)


def main() -> int:
    subprocess.run(["cargo", "build", "-q", "--example", "parity"], cwd=ROOT, check=True)
    passed, failures = 0, []
    keys = os.path.join(ROOT, "tests", "fixtures", "keys")
    rs256 = {
        "JWT_ALGORITHM": "RS256",
        "JWT_PRIVATE_KEY_FILE": os.path.join(keys, "rsa2048-private.pem"),
        "JWT_PUBLIC_KEY_FILE": os.path.join(keys, "rsa2048-public.pem"),
    }
    for label, locations, cases, env in [
        ("headers", "headers", run, None),
        ("all locations", "headers,cookies,query_string,json", run_locations, None),
        ("RS256", "headers", run_rs256, rs256),
        ("CSRF form field", "headers,cookies", run_csrf_form, {"JWT_CSRF_CHECK_FORM": "1"}),
    ]:
        suite = serve_both(locations, cases, env)
        passed += suite.passed
        failures += [f"[{label}] {f}" for f in suite.failures]
    for f in failures:
        print("DIFF", f)
    print(f"parity: {passed} passed, {len(failures)} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
