#!/usr/bin/env python3
"""Compares phiguard's and Checkov's verdicts where both implement the same check.

Usage: agree.py PHIGUARD_JSON CHECKOV_JSON STAGE_DIR RULES_JSON
For every phiguard rule that names a Checkov equivalent (from `phiguard rules -o json`) and applies everywhere
(PHI-scope-only rules are skipped: phiguard does not run them outside PHI scope by design), it compares, per
Kubernetes object, whether each tool reports a failure. Objects are matched by file, kind, namespace and name.
Prints agreement counts per check and lists every disagreement.
"""
import collections
import json
import os
import sys


def load_json(path):
    with open(path) as f:
        text = f.read()
    start = min([i for i in (text.find("{"), text.find("[")) if i >= 0], default=0)
    return json.loads(text[start:])


def main():
    pg_path, ck_path, stage, rules_path = sys.argv[1:5]
    pg = load_json(pg_path)["report"]
    ck = load_json(ck_path)
    if isinstance(ck, list):
        ck = next((r for r in ck if r.get("check_type") == "kubernetes"), ck[0])
    rules = load_json(rules_path)["rules"]
    mapping = {}
    for r in rules:
        if r["applies"] != "everywhere":
            continue
        for cid in r["equivalents"]["checkov"]:
            mapping.setdefault(cid, []).append(r["code"])

    def rel(p):
        p = p.replace(stage, "")
        return os.path.normpath(p.lstrip("/"))

    # Checkov: resource id "Kind.namespace.name" per file; passed and failed per check.
    ck_verdict = {}
    for status in ("passed_checks", "failed_checks"):
        for c in ck.get("results", {}).get(status, []):
            if c["check_id"] not in mapping:
                continue
            parts = c["resource"].split(".", 2)
            if len(parts) != 3:
                continue
            kind, ns, name = parts
            key = (rel(c["file_path"]), kind, ns, name)
            ck_verdict[(c["check_id"], key)] = status == "failed_checks"

    pg_fail = collections.defaultdict(set)
    for f in pg["findings"]:
        o = f.get("object")
        if not o:
            continue
        key = (rel(f["location"]["file"]), o["kind"], o.get("namespace") or "default", o["name"])
        pg_fail[f["code"]].add(key)

    print(f"{'checkov':<12} {'phiguard':<12} {'both fail':>9} {'both pass':>9} {'only ck':>8} {'only pg':>8}")
    disagreements = []
    totals = collections.Counter()
    for cid, codes in sorted(mapping.items()):
        counts = collections.Counter()
        for (check, key), ck_failed in ck_verdict.items():
            if check != cid:
                continue
            pg_failed = any(key in pg_fail[c] for c in codes)
            if ck_failed and pg_failed:
                counts["both_fail"] += 1
            elif not ck_failed and not pg_failed:
                counts["both_pass"] += 1
            elif ck_failed:
                counts["only_ck"] += 1
                disagreements.append((cid, "/".join(codes), "checkov only", key))
            else:
                counts["only_pg"] += 1
                disagreements.append((cid, "/".join(codes), "phiguard only", key))
        if sum(counts.values()) == 0:
            continue
        totals.update(counts)
        print(f"{cid:<12} {'/'.join(codes):<12} {counts['both_fail']:>9} {counts['both_pass']:>9} {counts['only_ck']:>8} {counts['only_pg']:>8}")
    n = sum(totals.values())
    agree = totals["both_fail"] + totals["both_pass"]
    print(f"total: {n} object-check verdicts compared, {agree} agree ({100.0 * agree / max(n, 1):.1f}%), "
          f"{totals['only_ck']} Checkov only, {totals['only_pg']} phiguard only")
    if disagreements:
        print("\ndisagreements (check, phiguard rule, side, file kind namespace name):")
        for d in disagreements[:200]:
            print(f"  {d[0]} {d[1]} {d[2]}: {d[3][0]} {d[3][1]} {d[3][2]} {d[3][3]}")
        if len(disagreements) > 200:
            print(f"  ... {len(disagreements) - 200} more")


if __name__ == "__main__":
    main()
