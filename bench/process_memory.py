"""Peak resident memory of a process and all its descendants, sampled from /proc.

A rebuild runs in several processes (the parent, extraction workers, index workers), so
the figure that matters is the sum of their resident sets at the worst moment, as a user
watching ``top`` would add them up. Forked children share pages with their parent until
written, and RSS counts a shared page in every process that maps it: the sum is an upper
bound of what the machine gives the run (``pss`` is the proportional share, a lower one).

    with PeakMemory(proc.pid) as peak:
        proc.wait()
    print(peak.summed_bytes, peak.largest_bytes)
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import threading
import time
from pathlib import Path

PAGE = os.sysconf("SC_PAGE_SIZE")
#: Seconds between samples: short enough to catch a worker's peak before it exits.
INTERVAL = 0.1


def _children() -> dict[int, list[int]]:
    """Parent pid -> child pids, for every process now running."""
    tree: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            stat = Path(entry.path, "stat").read_bytes()
        except OSError:
            continue
        # "pid (comm) state ppid ...": comm may hold spaces and parentheses.
        ppid = int(stat[stat.rindex(b")") + 2 :].split()[1])
        tree.setdefault(ppid, []).append(int(entry.name))
    return tree


def descendants(pid: int) -> list[int]:
    """``pid`` and every process below it."""
    tree = _children()
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        todo.extend(tree.get(current, []))
    return found


def resident_bytes(pid: int) -> int:
    """Resident set of one process (0 if it is gone)."""
    return resident_and_file_bytes(pid)[0]


def resident_and_file_bytes(pid: int) -> tuple[int, int]:
    """Resident set of one process and the part of it that is file-backed or shared memory
    (mapped files: the rest is anonymous, the process's own heap); (0, 0) if it is gone."""
    try:
        fields = Path(f"/proc/{pid}/statm").read_text().split()
        return int(fields[1]) * PAGE, int(fields[2]) * PAGE
    except (OSError, IndexError, ValueError):
        return 0, 0


def proportional_bytes(pid: int) -> int:
    """Proportional set size (shared pages divided among their users), 0 if unavailable."""
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError):
        pass
    return 0


class PeakMemory:
    """Samples a process tree in a thread; keeps the peak of the summed and largest RSS."""

    def __init__(self, pid: int, interval: float = INTERVAL, pss_every: int = 10) -> None:
        self.pid = pid
        self.interval = interval
        self.pss_every = pss_every
        self.summed_bytes = 0
        self.largest_bytes = 0
        #: Of the summed peak, the file-backed pages (mapped files) at that moment.
        self.file_bytes = 0
        self.pss_bytes = 0
        self.processes = 0
        #: CPU seconds of the run, when the caller measures them.
        self.cpu = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def sample(self, with_pss: bool = False) -> int:
        pids = descendants(self.pid)
        measured = [resident_and_file_bytes(pid) for pid in pids]
        sizes = [resident for resident, _ in measured]
        total = sum(sizes)
        if total > self.summed_bytes:
            self.summed_bytes = total
            self.file_bytes = sum(file for _, file in measured)
        self.largest_bytes = max(self.largest_bytes, max(sizes, default=0))
        self.processes = max(self.processes, sum(1 for s in sizes if s))
        if with_pss:
            self.pss_bytes = max(self.pss_bytes, sum(proportional_bytes(pid) for pid in pids))
        return total

    def _run(self) -> None:
        count = 0
        while not self._stop.is_set():
            self.sample(with_pss=count % self.pss_every == 0)
            count += 1
            self._stop.wait(self.interval)

    def __enter__(self) -> PeakMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def children_cpu_seconds() -> float:
    """CPU time of this process's finished children and their children (user + system)."""
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def run_measured(command: list[str], cwd: Path) -> tuple[float, str, PeakMemory]:
    """Run ``command`` to its end: wall seconds, its standard output, and its peak memory
    (``peak.cpu`` set to the CPU seconds of all its processes, the figure other jobs on a
    shared machine disturb least). A failed command ends the bench in one line."""
    started, cpu = time.perf_counter(), children_cpu_seconds()
    proc = subprocess.Popen(command, cwd=cwd, stdout=subprocess.PIPE, text=True)
    with PeakMemory(proc.pid) as peak:
        out, _ = proc.communicate()
    seconds = time.perf_counter() - started
    if proc.returncode:
        sys.exit(f"failed ({proc.returncode}): {' '.join(command)}")
    peak.cpu = children_cpu_seconds() - cpu
    return seconds, out, peak


def gib(n_bytes: int) -> str:
    return f"{n_bytes / 2**30:.2f} GiB"
