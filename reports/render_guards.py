"""What a render in a worker runs under: a memory cap, and the gate crash-safety tests hold.

Neither touches what is rendered: `reports.publishing` wraps a publication's render in
both, the draft-PDF task in the cap.
"""

from __future__ import annotations

import contextlib
import os
import resource
import time
from pathlib import Path

# Names a file the first render waits on (tests/reports/test_tasks.py); unset in production.
TEST_GATE_VARIABLE = "PORTAL_TEST_RENDER_GATE"


@contextlib.contextmanager
def memory_cap(limit_bytes: int | None, *, enabled: bool = True):
    """Limit this process's address space while the block runs (Linux RLIMIT_AS), then lift it.

    A render that needs more fails with MemoryError instead of starving the machine.
    """
    if not enabled or not limit_bytes:
        yield
        return
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    new_soft = limit_bytes if hard == resource.RLIM_INFINITY else min(limit_bytes, hard)
    resource.setrlimit(resource.RLIMIT_AS, (new_soft, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


def wait_at_test_gate() -> None:
    """TEST HOOK, inert unless PORTAL_TEST_RENDER_GATE names a file (crash-safety tests).

    The first render to get here writes its pid to <gate>.started and waits while the
    gate file exists, so a test can kill the worker mid-render; later renders find
    <gate>.started and go straight on.
    """
    gate = os.environ.get(TEST_GATE_VARIABLE)
    if not gate:
        return
    started = Path(f"{gate}.started")
    if started.exists():
        return
    started.write_text(str(os.getpid()))
    deadline = time.monotonic() + 120
    while Path(gate).exists() and time.monotonic() < deadline:
        time.sleep(0.05)
