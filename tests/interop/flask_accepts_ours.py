"""Tokens minted by axum-jwt-extended must be accepted by Flask-JWT-Extended.

Runs `cargo run --example mint_tokens` with a shared secret, then presents
every token to a Flask-JWT-Extended app (the oracle, installed from PyPI) on
access, fresh, refresh and optional routes, and checks Flask's answers and
the claim layout Flask decodes. Exits non-zero on any difference.

    python tests/interop/flask_accepts_ours.py
"""

import json
import os
import subprocess
import sys

from flask import Flask, jsonify
from flask_jwt_extended import (
    JWTManager,
    decode_token,
    get_jwt,
    get_jwt_header,
    get_jwt_identity,
    jwt_required,
)

SECRET = "interop-secret-long-enough-for-hs256"
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

app = Flask(__name__)
app.config["JWT_SECRET_KEY"] = SECRET
JWTManager(app)


@app.route("/protected")
@jwt_required()
def protected():
    return jsonify(logged_in_as=get_jwt_identity(), claims=get_jwt(), header=get_jwt_header())


@app.route("/fresh")
@jwt_required(fresh=True)
def fresh():
    return jsonify(logged_in_as=get_jwt_identity())


@app.route("/refresh", methods=["POST"])
@jwt_required(refresh=True)
def refresh():
    return jsonify(logged_in_as=get_jwt_identity())


@app.route("/optional")
@jwt_required(optional=True)
def optional():
    return jsonify(logged_in_as=get_jwt_identity())


def main() -> int:
    out = subprocess.run(
        ["cargo", "run", "-q", "--example", "mint_tokens"],
        cwd=ROOT,
        env={**os.environ, "JWT_SECRET_KEY": SECRET},
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    tokens = json.loads(out)
    client = app.test_client()
    failures = []
    checks = 0

    def expect(name, path, token, status, msg=None, method="GET"):
        nonlocal checks
        checks += 1
        res = client.open(path, method=method, headers={"Authorization": f"Bearer {token}"})
        body = res.get_json(silent=True)
        if res.status_code != status or (msg is not None and body != {"msg": msg}):
            failures.append(f"{name} {method} {path}: got {res.status_code} {body}, want {status} {msg}")
        return body

    expected = {
        # name: (/protected, /fresh, /refresh, /optional)
        "access": (200, 401, 422, 200),
        "fresh_access": (200, 200, 422, 200),
        "fresh_for": (200, 200, 422, 200),
        "refresh": (422, 422, 200, 422),
        "never_expires": (200, 401, 422, 200),
        "expired": (401, 401, 401, 401),
        "with_claims": (200, 200, 422, 200),
    }
    for name, (p, f, r, o) in expected.items():
        token = tokens[name]
        body = expect(name, "/protected", token, p)
        expect(name, "/fresh", token, f)
        expect(name, "/refresh", token, r, method="POST")
        expect(name, "/optional", token, o)
        if p == 200:
            if body["logged_in_as"] != "alice":
                failures.append(f"{name}: identity {body['logged_in_as']!r}")
            if body["header"].get("alg") != "HS256" or body["header"].get("typ") != "JWT":
                failures.append(f"{name}: header {body['header']}")
            for claim in ["fresh", "iat", "jti", "type", "sub", "nbf", "csrf"]:
                if claim not in body["claims"]:
                    failures.append(f"{name}: missing claim {claim}")

    with app.app_context():
        layout = list(decode_token(tokens["access"]).keys())
        if layout != ["fresh", "iat", "jti", "type", "sub", "nbf", "csrf", "exp"]:
            failures.append(f"access token claim order {layout}")
        claims = decode_token(tokens["with_claims"])
        if claims.get("role") != "admin" or claims.get("perms") != [1, 2]:
            failures.append(f"additional claims {claims}")
        if decode_token(tokens["refresh"])["fresh"] is not False:
            failures.append("refresh token must not be fresh")
        if not isinstance(decode_token(tokens["fresh_for"])["fresh"], float):
            failures.append("fresh for a duration must be a float timestamp")
        if "exp" in decode_token(tokens["never_expires"]):
            failures.append("never_expires has an exp")
        checks += 5

    # A Flask service whose secret is short (Flask accepts any length): our
    # tokens minted under the migration opt-in verify there too.
    short = "flask-secret"
    legacy = subprocess.run(
        ["cargo", "run", "-q", "--example", "mint_tokens"],
        cwd=ROOT,
        env={**os.environ, "JWT_SECRET_KEY": short, "JWT_LEGACY_SECRET": "sign"},
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    legacy_tokens = json.loads(legacy)
    app.config["JWT_SECRET_KEY"] = short
    try:
        body = expect("legacy access", "/protected", legacy_tokens["access"], 200)
        if body and body.get("logged_in_as") != "alice":
            failures.append(f"legacy access: identity {body.get('logged_in_as')!r}")
        expect("legacy refresh", "/refresh", legacy_tokens["refresh"], 200, method="POST")
        # The long secret's tokens are not the short secret's.
        expect("long secret under the short one", "/protected", tokens["access"], 422,
               "Signature verification failed")
    finally:
        app.config["JWT_SECRET_KEY"] = SECRET

    for f in failures:
        print("FAIL", f)
    print(f"flask accepts ours: {checks - len(failures)} passed, {len(failures)} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
