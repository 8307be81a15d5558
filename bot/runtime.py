"""Interpreter settings for a bot that serves many users at once; each was measured with bench/load.py."""

from __future__ import annotations

import gc
import sys

# The database runs on its own thread: under load the event loop would keep the GIL for Python's default
# 5 ms before that thread may answer, and every query would wait that long.
SWITCH_INTERVAL = 0.0005

# Collections of the youngest generation walk every object still alive since the last one, and with a few
# hundred updates in flight that is tens of thousands: at Python's default threshold (700) they took a
# quarter of the CPU time of an update. At 50,000 they run about every 30 updates under load; what they may
# hold back meanwhile is bounded by the threshold (a few MB of cyclic garbage).
GC_THRESHOLDS = (50_000, 20, 10)


def tune_interpreter() -> None:
    sys.setswitchinterval(SWITCH_INTERVAL)


def settle_memory() -> None:
    """Call once start-up is done: what it built (aiogram's and pydantic's models, content, catalogues)
    lives as long as the process, so it is frozen out of the collector's walks for good."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)
