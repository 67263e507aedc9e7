#!/usr/bin/env python3
"""Where a Node.js process (Azurite) spent its time, from a V8 CPU profile (node --cpu-prof).

Prints the top functions by self time and by inclusive time, each as a share of the whole profile ('(idle)' is the
event loop waiting). Frames are named function, file (under node_modules when there) and line.

usage: node-profile.py PROFILE.cpuprofile [TOP_SELF] [TOP_INCLUSIVE]
"""
import collections
import json
import os
import sys


def frame(node):
    call = node["callFrame"]
    url = call["url"]
    url = url.split("node_modules/")[-1] if "node_modules/" in url else os.path.basename(url)
    return f"{call['functionName'] or '(anonymous)'} {url}:{call['lineNumber']}"


def main():
    profile = json.load(open(sys.argv[1]))
    top_self = int(sys.argv[2]) if len(sys.argv) > 2 else 30
    top_inclusive = int(sys.argv[3]) if len(sys.argv) > 3 else 50
    nodes = {n["id"]: n for n in profile["nodes"]}
    parent = {child: n["id"] for n in profile["nodes"] for child in n.get("children", [])}
    per_node = collections.Counter()
    for sample, delta in zip(profile["samples"], profile["timeDeltas"]):
        per_node[sample] += delta
    total = sum(per_node.values()) or 1
    exclusive, inclusive = collections.Counter(), collections.Counter()
    for node_id, time in per_node.items():
        exclusive[frame(nodes[node_id])] += time
        seen, at = set(), node_id
        while at is not None:
            name = frame(nodes[at])
            if name not in seen:  # recursion counts a frame once per sample
                inclusive[name] += time
                seen.add(name)
            at = parent.get(at)
    print(f"profile: {total / 1e6:.1f} s")
    print("-- by self time")
    for name, time in exclusive.most_common(top_self):
        print(f"{time / total * 100:5.1f}%  {name}")
    print("-- by inclusive time")
    for name, time in inclusive.most_common(top_inclusive):
        print(f"{time / total * 100:5.1f}%  {name}")


if __name__ == "__main__":
    main()
