"""Resource limits for child processes of the fault tests."""

from __future__ import annotations

import resource
import signal


def limit_file_size() -> None:
    """In a child: no file may grow past 64 kB; writes fail with EFBIG instead of the
    process being killed by SIGXFSZ (a full disk, without the rights to mount one)."""
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (65536, 65536))
