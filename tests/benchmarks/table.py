#!/usr/bin/env python3
"""Prints the load tool's JSON summaries in a folder as one markdown table (one row per step), with the CPU the
system's processes used during each step (from the scripts' "CPU s:" lines in summary.txt) per acknowledged request,
and the share of the machine's cores that other work (not Drex, not the load tool) took during the step."""
import json
import pathlib
import re
import sys

folder = pathlib.Path(sys.argv[1])

# "-- memory rating @ 200/s (...)" ... "CPU s: silo 7.5, gateway 4.2, over 25.4 s wall; all processes 14.0 of 2x that"
cpu = {}
summary = folder / "summary.txt"
if summary.exists():
    step = None
    for line in summary.read_text().splitlines():
        m = re.match(r"-- (\w+) (\S+) @ (\d+)/s", line) or re.match(r"-- recommendations over (\d+) items @ (\d+)/s", line)
        if m:
            step = "/".join(m.groups()) if len(m.groups()) == 3 else f"recommend/{m.group(1)}/{m.group(2)}"
            continue
        m = re.search(r"CPU s: (.*)over ([\d.]+) s wall; all processes ([\d.]+) of (\d+)x", line)
        if m and step:
            parts = dict((k, float(v)) for k, v in re.findall(r"(\w+) ([\d.]+),", m.group(1)))
            wall, total, cores = float(m.group(2)), float(m.group(3)), int(m.group(4))
            cpu[step] = (parts, total, wall * cores)
            step = None

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
        verdict = "-" if check is None else ("PASS" if check["pass"] else "FAIL") + f" {check['users']['acknowledged']}"
        # Requests acknowledged over the whole run (warm-up included), for CPU per request.
        acked = sum(t["ok"] for t in data.get("timeline", [])) if "timeline" in data and kind != "all" else (
            check["users"]["acknowledged"] if check else k["ok"] * (data["warmupSeconds"] + data["durationSeconds"]) / data["durationSeconds"])
        parts, total, capacity = cpu.get(label, ({}, None, None))
        per = " ".join(f"{name} {1000 * seconds / acked:.2f}" for name, seconds in parts.items()) if parts else ""
        # CPU of everything else on the machine (other people's work) during the step, as a share of all cores.
        others = "" if total is None else f"{max(0, round(100 * (total - sum(parts.values()) - data.get('loadToolCpuSeconds', 0)) / capacity))}%"
        rows.append((label, kind, k["offeredPerSecond"], k["throughputPerSecond"], lat["p50"], lat["p95"], lat["p99"], lat["max"], errors,
                     verdict, per, others))

print("| step | kind | offered/s | ok/s | p50 ms | p95 ms | p99 ms | max ms | errors | exactly-once (acked) | CPU ms per ok request | other work on the machine |")
print("|---|---|---:|---:|---:|---:|---:|---:|---|---|---|---:|")
for r in rows:
    print("| " + " | ".join(str(x) for x in r) + " |")

for name in ("encoder.json", "azure-table-writes.json"):
    p = folder / name
    if p.exists():
        print()
        for entry in json.loads(p.read_text()):
            if "single" in entry:
                print(f"- encoder, one review per call, {entry['threads']} threads, {entry['gapMs']} ms gaps: {entry['callMs']} ms per call, {entry['cpuMsPerReview']} ms process CPU per review")
            elif "reviewsPerSecond" in entry:
                print(f"- encoder, batch {entry['batch']}, {entry.get('workers', 1)} workers x {entry['threads']} threads: {entry['reviewsPerSecond']} reviews/s ({entry['tokensPerReview']} tokens/review)")
            else:
                lat = entry["latencyMs"]
                print(f"- Azurite table upserts, {entry['concurrency']} outstanding, {entry['bytes']} B: {entry['writesPerSecond']}/s, p50 {lat['p50']} ms, p99 {lat['p99']} ms, errors {entry['errors']}")
