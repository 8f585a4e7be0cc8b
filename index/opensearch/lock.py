"""One reindex at a time per archive on a cluster, as index/whoosh/store.py's file lock gives one
per folder: a lock document created only if absent (`op_type=create`) in a small index
beside the archive's (`<alias>-lock`), deleted when the reindex ends.

A process that dies holding it cannot delete it, so the holder stamps it every
HEARTBEAT seconds; a lock not stamped for STALE seconds is taken over, by a conditional
delete (`if_seq_no`), so that two waiting reindexes never both take it.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

from index.errors import IndexLocked
from index.opensearch.connection import Target

HEARTBEAT = 10.0
STALE = 60.0
LOCK_ID = "reindex"
_POLL = 0.25


def lock_index(target: Target) -> str:
    return f"{target.index}-lock"


@contextmanager
def reindex_lock(client, target: Target, timeout: float) -> Iterator[None]:
    """Holds the archive's reindex lock; IndexLocked after `timeout` seconds of waiting."""
    from opensearchpy.exceptions import ConflictError, NotFoundError

    where, owner = lock_index(target), f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}"
    started = time.monotonic()
    while True:
        try:
            client.create(index=where, id=LOCK_ID, body={"owner": owner, "seen": time.time()}, refresh="true")
            break
        except ConflictError:
            pass
        try:
            held = client.get(index=where, id=LOCK_ID)
            if time.time() - held["_source"].get("seen", 0) > STALE:
                client.delete(index=where, id=LOCK_ID, if_seq_no=held["_seq_no"],
                              if_primary_term=held["_primary_term"], refresh="true")
                continue
        except (ConflictError, NotFoundError):
            continue  # taken over or released meanwhile: try again at once
        if time.monotonic() - started >= timeout:
            raise IndexLocked(f"{target.index} sur {target.shown}", timeout)
        time.sleep(_POLL)
    done = threading.Event()

    def stamp() -> None:
        while not done.wait(HEARTBEAT):
            try:
                client.update(index=where, id=LOCK_ID, body={"doc": {"seen": time.time()}})
            except Exception:  # noqa: BLE001 - the reindex itself reports a cluster gone
                pass

    beating = threading.Thread(target=stamp, name="archive-reindex-lock", daemon=True)
    beating.start()
    try:
        yield
    finally:
        done.set()
        beating.join()
        try:
            client.delete(index=where, id=LOCK_ID, refresh="true")
        except Exception:  # noqa: BLE001 - stale in STALE seconds if the cluster is gone
            pass
