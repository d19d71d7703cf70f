"""MSRV check with the one toolchain this project's machines have: the
declared `rust-version` of our crates must be at least the `rust-version` of
every dependency actually built (cargo metadata, all features), and clippy's
`incompatible_msrv` lint (run by scripts/test) checks our own code against it.
"""

import json
import subprocess
import sys


def version(v):
    parts = [int(x) for x in v.split(".")]
    return tuple(parts + [0] * (3 - len(parts)))


meta = json.loads(
    subprocess.run(
        ["cargo", "metadata", "--format-version", "1", "--all-features"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
)
ours = {p["name"]: p for p in meta["packages"] if p["source"] is None}
declared = {name: p.get("rust_version") for name, p in ours.items() if name != "axum-jwt-extended-fuzz"}
missing = [n for n, v in declared.items() if not v]
if missing:
    sys.exit(f"no rust-version declared for {missing}")
msrv = min(version(v) for v in declared.values())
resolved = {node["id"] for node in meta["resolve"]["nodes"]}
too_new = []
for p in meta["packages"]:
    if p["source"] is None or p["id"] not in resolved or not p.get("rust_version"):
        continue
    if version(p["rust_version"]) > msrv:
        too_new.append(f'{p["name"]} {p["version"]} needs {p["rust_version"]}')
if too_new:
    # Dev-only dependencies (test tools) may need a newer compiler than users do.
    print("dependencies above the MSRV (check they are dev-only):")
    for line in too_new:
        print("  " + line)
normal = set()
by_id = {n["id"]: n for n in meta["resolve"]["nodes"]}
roots = [p["id"] for p in meta["packages"] if p["source"] is None and p["name"] in ("jwt-runtime", "jwt-macros")]
stack = list(roots)
while stack:
    node = by_id[stack.pop()]
    for dep in node["deps"]:
        if any(k["kind"] in (None, "build") for k in dep["dep_kinds"]) and dep["pkg"] not in normal:
            normal.add(dep["pkg"])
            stack.append(dep["pkg"])
pkgs = {p["id"]: p for p in meta["packages"]}
offenders = [
    f'{pkgs[i]["name"]} {pkgs[i]["version"]} needs {pkgs[i]["rust_version"]}'
    for i in normal
    if pkgs[i].get("rust_version") and version(pkgs[i]["rust_version"]) > msrv
]
if offenders:
    sys.exit("runtime dependencies need a newer Rust than our rust-version:\n  " + "\n  ".join(offenders))
print(f"msrv: rust-version {'.'.join(map(str, msrv))} covers every runtime dependency ({len(normal)} crates)")
