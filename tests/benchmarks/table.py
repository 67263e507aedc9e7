#!/usr/bin/env python3
"""Prints the load tool's JSON summaries in a folder as one markdown table (one row per step)."""
import json
import pathlib
import sys

folder = pathlib.Path(sys.argv[1])
rows = []
for path in sorted(folder.glob("*.json"), key=lambda p: p.stat().st_mtime):
    data = json.loads(path.read_text())
    if not isinstance(data, dict) or "kinds" not in data:
        continue
    label = data.get("label") or path.stem
    for kind, k in data["kinds"].items():
        if kind == "all" and len(data["kinds"]) == 2:
            continue
        lat = k["latencyMs"]
        errors = " ".join(f"{e}={n}" for e, n in k["errorKinds"].items()) or "0"
        check = data.get("exactlyOnce")
        verdict = "-" if check is None else ("PASS" if check["pass"] else "FAIL") + f" ({check['users']['acknowledged']}/{check['users']['reflected']})"
        rows.append((label, kind, data["rate"], k["offeredPerSecond"], k["throughputPerSecond"], lat["p50"], lat["p95"], lat["p99"], lat["max"], errors, verdict))

print("| step | kind | target/s | offered/s | ok/s | p50 ms | p95 ms | p99 ms | max ms | errors | exactly-once (acked/reflected) |")
print("|---|---|---:|---:|---:|---:|---:|---:|---:|---|---|")
for r in rows:
    print("| " + " | ".join(str(x) for x in r) + " |")

for name in ("encoder.json", "azure-table-writes.json"):
    p = folder / name
    if p.exists():
        print()
        for entry in json.loads(p.read_text()):
            if "reviewsPerSecond" in entry:
                print(f"- encoder, batch {entry['batch']}, {entry['threads']} threads: {entry['reviewsPerSecond']} reviews/s ({entry['tokensPerReview']} tokens/review)")
            else:
                lat = entry["latencyMs"]
                print(f"- Azurite table upserts, {entry['concurrency']} outstanding, {entry['bytes']} B: {entry['writesPerSecond']}/s, p50 {lat['p50']} ms, p99 {lat['p99']} ms, errors {entry['errors']}")
