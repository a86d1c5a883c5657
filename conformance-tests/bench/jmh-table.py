#!/usr/bin/env python3
"""Markdown table of TokenSigningBenchmark's JMH JSON: layer vs. direct SunPKCS11, and the ratio."""
import json
import math
import sys

rows = {}
for r in json.load(open(sys.argv[1])):
    threads = r["threads"]
    alg = r["params"]["algorithm"]
    path = r["params"]["path"]
    m = r["primaryMetric"]
    err = m.get("scoreError")
    rows.setdefault((alg, threads), {})[path] = (m["score"], err if isinstance(err, (int, float)) and not math.isnan(err) else None)

order = ["EC_P256", "EC_P384", "RSA_2048", "RSA_3072"]
def fmt(v):
    score, err = v
    return f"{score:,.0f} ± {err:,.0f}" if err is not None else f"{score:,.0f}"

print("| algorithm | threads | layer (ops/s) | direct SunPKCS11 (ops/s) | layer / direct | >= 0.9x |")
print("|---|---:|---:|---:|---:|:---:|")
for alg, threads in sorted(rows, key=lambda k: (order.index(k[0]) if k[0] in order else 99, k[1])):
    r = rows[(alg, threads)]
    if "layer" in r and "direct" in r:
        ratio = r["layer"][0] / r["direct"][0]
        print(f"| {alg} | {threads} | {fmt(r['layer'])} | {fmt(r['direct'])} | {ratio:.2f} | {'yes' if ratio >= 0.9 else 'NO'} |")
