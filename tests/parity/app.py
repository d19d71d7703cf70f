"""The reference app of the parity suite: the contract of examples/parity.rs,
written with Flask-JWT-Extended itself.

    JWT_SECRET_KEY=... ADDR=127.0.0.1:5001 python tests/parity/app.py

Also reads JWT_TOKEN_LOCATION (comma-separated), JWT_ALGORITHM, and
JWT_PRIVATE_KEY_FILE / JWT_PUBLIC_KEY_FILE (PEM files) like examples/parity.rs.
"""

import os
import sys

from flask import Flask, jsonify, request
from flask_jwt_extended import (
    JWTManager,
    create_access_token,
    create_refresh_token,
    get_jwt,
    get_jwt_identity,
    jwt_required,
    set_access_cookies,
    set_refresh_cookies,
    unset_jwt_cookies,
)

app = Flask(__name__)
secret = os.environ.get("JWT_SECRET_KEY")
if not secret:
    print("warning: JWT_SECRET_KEY is not set; using \"super-secret\"", file=sys.stderr)
    secret = "super-secret"
app.config["JWT_SECRET_KEY"] = secret
# An asymmetric configuration: JWT_ALGORITHM with PEM files for the keys.
app.config["JWT_ALGORITHM"] = os.environ.get("JWT_ALGORITHM", "HS256")
for option in ("JWT_PRIVATE_KEY", "JWT_PUBLIC_KEY"):
    path = os.environ.get(option + "_FILE")
    if path:
        with open(path) as f:
            app.config[option] = f.read()
# JWT_TOKEN_LOCATION as a comma-separated list, e.g. "headers,cookies,query_string,json".
locations = [l for l in os.environ.get("JWT_TOKEN_LOCATION", "headers").split(",") if l]
app.config["JWT_TOKEN_LOCATION"] = locations
# JWT_CSRF_CHECK_FORM=1: the CSRF value may come in a form field.
app.config["JWT_CSRF_CHECK_FORM"] = os.environ.get("JWT_CSRF_CHECK_FORM") == "1"
jwt = JWTManager(app)

blocklist = set()


@jwt.token_in_blocklist_loader
def check_if_token_revoked(jwt_header, jwt_payload):
    return jwt_payload["jti"] in blocklist


@app.route("/public")
def public():
    return jsonify(msg="public")


@app.route("/login", methods=["POST"])
def login():
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        data = {}
    if data.get("username") != "test" or data.get("password") != "test":
        return jsonify(msg="Bad username or password"), 401
    access_token = create_access_token(identity="test", fresh=True)
    refresh_token = create_refresh_token(identity="test")
    response = jsonify(access_token=access_token, refresh_token=refresh_token)
    if "cookies" in locations:
        set_access_cookies(response, access_token)
        set_refresh_cookies(response, refresh_token)
    return response


@app.route("/refresh", methods=["POST"])
@jwt_required(refresh=True)
def refresh():
    identity = get_jwt_identity()
    access_token = create_access_token(identity=identity, fresh=False)
    return jsonify(access_token=access_token)


@app.route("/protected")
@jwt_required()
def protected():
    return jsonify(logged_in_as=get_jwt_identity())


@app.route("/fresh")
@jwt_required(fresh=True)
def fresh():
    return jsonify(logged_in_as=get_jwt_identity())


@app.route("/optional")
@jwt_required(optional=True)
def optional():
    return jsonify(logged_in_as=get_jwt_identity())


@app.route("/logout", methods=["DELETE"])
@jwt_required(verify_type=False)
def logout():
    blocklist.add(get_jwt()["jti"])
    response = jsonify(msg="Token revoked")
    if "cookies" in locations:
        unset_jwt_cookies(response)
    return response


if __name__ == "__main__":
    host, port = os.environ.get("ADDR", "127.0.0.1:5000").rsplit(":", 1)
    app.run(host=host, port=int(port))
