#!/usr/bin/env python3
"""Where a process's threads run, from a dotnet-trace thread-time sample converted to speedscope JSON.

dotnet-trace's sampled thread time stacks every thread, waiting ones included; this drops the stretches whose
innermost frame is a wait (semaphores, monitors, wait handles, epoll, sleeps), so what is left approximates CPU time
spent in managed code (native frames show as 'Missing Symbol'). Prints the top frames by inclusive and by exclusive
share of the running samples.

usage: cpu-profile.py TRACE.speedscope.json [TOP]
"""
import collections
import json
import sys

WAITS = ("Wait", "Sleep", "SpinWait", "Interop+Sys.Read", "EventLoop", "Poll", "Accept", "Receive", "ReadEvent",
         "TryTake", "Take(", "Join(", "WaitOne", "epoll", "FSync")


def waiting(name):
    return any(w in name for w in WAITS)


def stacks(doc):
    """Every (stack of frame indices, weight) of a speedscope document, over all its threads."""
    for profile in doc["profiles"]:
        if profile["type"] == "sampled":
            yield from zip(profile["samples"], profile["weights"])
            continue
        # evented: open/close events; weight each stack by the time it stayed on top
        stack, last = [], None
        for e in profile["events"]:
            if last is not None and stack:
                yield list(stack), e["at"] - last
            last = e["at"]
            if e["type"] == "O":
                stack.append(e["frame"])
            elif stack:
                stack.pop()


def main():
    path = sys.argv[1]
    top = int(sys.argv[2]) if len(sys.argv) > 2 else 40
    doc = json.load(open(path))
    frames = [f["name"] for f in doc["shared"]["frames"]]
    inclusive = collections.Counter()
    exclusive = collections.Counter()
    running = total = 0.0
    for stack, weight in stacks(doc):
        total += weight
        # The converter ends each stack with a pseudo-frame: CPU_TIME (running managed code) or
        # UNMANAGED_CODE_TIME (in native code: running, or blocked in a wait the frame below names).
        if stack and frames[stack[-1]] in ("CPU_TIME", "UNMANAGED_CODE_TIME"):
            native = frames[stack[-1]] == "UNMANAGED_CODE_TIME"
            stack = stack[:-1]
            if native and (not stack or waiting(frames[stack[-1]])):
                continue
        # Unresolved native frames ('?!?') are running native code or a blocking call: the innermost managed frame
        # above them tells which (InferenceSession.Run computes; SocketAsyncEngine.EventLoop waits in epoll).
        inner = len(stack) - 1
        while inner >= 0 and frames[stack[inner]] == "?!?":
            inner -= 1
        if inner < 0 or waiting(frames[stack[inner]]):
            continue
        running += weight
        exclusive[frames[stack[-1]]] += weight
        for name in set(frames[i] for i in stack):
            inclusive[name] += weight
    print(f"running {running / max(total, 1e-9):.1%} of all thread time sampled")
    for title, counter in (("inclusive", inclusive), ("exclusive", exclusive)):
        print(f"\n-- top {top} frames by {title} share of running time")
        for name, weight in counter.most_common(top):
            print(f"{weight / running:6.1%}  {name[:180]}")


if __name__ == "__main__":
    main()
