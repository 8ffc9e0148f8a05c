"""The states of an inspector's case (shared README section 8), without the store.

A case is opened for an employer flagged for premium verification and moves one state at a
time: ``open`` → ``notified`` → ``rectified`` → ``closed``. The store enforces the order; the
command line only needs the names for its choices, and must not pay for importing the store.
"""

from __future__ import annotations

CASE_STATES = ["open", "notified", "rectified", "closed"]
