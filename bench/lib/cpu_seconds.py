#!/usr/bin/env python3
"""Prints the CPU seconds (user + system) the process trees rooted at the given PIDs have used:
for every live process of a tree its own time plus that of its children it has reaped (so a
Dovecot imap process that ended is still counted, through its master). Called before and after
a run, the difference is what the servers spent on it.
    cpu_seconds.py PID [PID...]"""
import os
import sys

TICKS = os.sysconf("SC_CLK_TCK")


def stat(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            text = f.read()
    except OSError:
        return None
    fields = text[text.rindex(")") + 2:].split()  # after "pid (comm) "
    ppid = int(fields[1])
    utime, stime, cutime, cstime = (int(x) for x in fields[11:15])
    return ppid, utime + stime + cutime + cstime


def main():
    roots = {int(p) for p in sys.argv[1:]}
    procs = {}
    for name in os.listdir("/proc"):
        if name.isdigit():
            s = stat(int(name))
            if s:
                procs[int(name)] = s
    children = {}
    for pid, (ppid, _) in procs.items():
        children.setdefault(ppid, []).append(pid)
    total, todo, seen = 0, list(roots & procs.keys()), set()
    while todo:
        pid = todo.pop()
        if pid in seen:
            continue
        seen.add(pid)
        total += procs[pid][1]
        todo.extend(children.get(pid, []))
    print("%.2f" % (total / TICKS))


if __name__ == "__main__":
    main()
