#!/usr/bin/env python3
"""Who waits for contended locks, from a dotnet-trace thread-time sample converted to speedscope JSON.

Sums the time of every stack that runs in Monitor.Enter's slow path or Lock.TryEnterSlow (spinning or blocked) by
the frames that called it, innermost first, and prints the top callers as shares of that time.

usage: lock-callers.py TRACE.speedscope.json [TOP] [DEPTH]
"""
import collections
import importlib.util
import json
import os
import sys

# The speedscope reading of cpu-profile.py (its file name is not an importable module name).
_spec = importlib.util.spec_from_file_location("cpu_profile", os.path.join(os.path.dirname(__file__), "cpu-profile.py"))
cpu_profile = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(cpu_profile)

LOCKS = ("Monitor.Enter_Slowpath", "Lock.TryEnterSlow")


def main():
    doc = json.load(open(sys.argv[1]))
    top = int(sys.argv[2]) if len(sys.argv) > 2 else 10
    depth = int(sys.argv[3]) if len(sys.argv) > 3 else 4
    frames = [f["name"].split("!")[-1] for f in doc["shared"]["frames"]]
    callers, total = collections.Counter(), 0.0
    for stack, weight in cpu_profile.stacks(doc):
        names = [frames[i] for i in stack]
        at = next((k for k, name in enumerate(names) if any(lock in name for lock in LOCKS)), None)
        if at is None:
            continue
        total += weight
        callers[" <- ".join(name[:100] for name in reversed(names[max(0, at - depth):at]))] += weight
    print(f"time in contended locks: {total / 1000:.1f} s of thread time")
    for chain, weight in callers.most_common(top):
        print(f"{weight / max(total, 1e-9):6.1%}  {chain}")


if __name__ == "__main__":
    main()
