"""Writing many actions to a cluster: bounded bulk batches, retried with back-off when
the cluster answers 429 (too many requests), and for a build several batches in flight
while the next documents are read.

A build is bound by the cluster's analysis (three analyzers over each title and body):
one bulk request at a time keeps one of the node's write threads busy while this
process waits, then this process reads the next files while the node waits. With
`concurrency` > 1, the caller's thread keeps producing actions into a bounded queue and
as many threads each send batches of it, so reading, fingerprinting and the node's
indexing overlap, and a shard's writer indexes several batches at once on as many
cores. Memory stays bounded: at most `concurrency` batches in flight, as many waiting
in the queue, and the one being filled.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterable

from index.opensearch.connection import REQUEST_TIMEOUT

# At most this many actions or bytes a bulk request; retried up to BULK_RETRIES times
# with back-off (1 s doubling to 30 s) on 429. The client itself retries 502-504 on the
# other nodes. 500 dispatches are about 2 MB of JSON: a node's request overhead is
# already small beside their analysis, and a 384 MB heap holds a few such bodies in
# flight with room to spare.
BULK_ACTIONS = 500
BULK_BYTES = 8 * 2**20
BULK_RETRIES = 6
# How long a bulk request waits for the shards it writes to have an active primary (the
# server's `timeout`): shorter than the client's REQUEST_TIMEOUT, so that when the node
# holding a primary dies the cluster answers 503 for the batch, rather than the client
# timing out and sending the same batch again to the other nodes, up to four times.
BULK_WAIT = "30s"
# Bulk requests in flight during a build (each on its own thread).
CONCURRENCY = 2


class _Stopped(Exception):
    """A sender failed: the caller's thread stops producing actions."""


def write(client, actions: Iterable[dict], concurrency: int = 1) -> None:
    """Writes `actions` in bounded batches, `concurrency` requests at a time (the order
    of actions is kept only with 1: give more only to actions on distinct ids). A
    refused document fails the run (the mapping and the code disagree: nothing a file
    can cause).

    Documents the cluster could not write come back as one TransportError with the
    status and reason of the worst of them (never the documents themselves), which
    `answering` turns into ClusterUnavailable (5xx: a shard's node died) or
    ClusterRefused."""
    if concurrency <= 1:
        _send(client, actions)
        return
    # Actions travel in lists of a batch's worth: one hand-over per batch, not per action.
    pending: queue.Queue = queue.Queue(maxsize=concurrency)
    stop = threading.Event()
    errors: list[BaseException] = []

    def sender() -> None:
        # One `streaming_bulk` per batch: it sends a full chunk only once the next
        # action arrives, which from a queue may be a batch later.
        try:
            while not stop.is_set():
                try:
                    batch = pending.get(timeout=0.1)
                except queue.Empty:
                    continue
                if batch is None:
                    return
                _send(client, batch)
        except BaseException as error:  # noqa: BLE001 - given back to the caller's thread
            errors.append(error)
            stop.set()

    senders = [threading.Thread(target=sender, name=f"archive-bulk-{i}", daemon=True) for i in range(concurrency)]
    for thread in senders:
        thread.start()
    try:
        batch: list[dict] = []
        for action in actions:
            batch.append(action)
            if len(batch) == BULK_ACTIONS:
                _put(pending, batch, stop)
                batch = []
        if batch:
            _put(pending, batch, stop)
        for _ in senders:
            _put(pending, None, stop)
    except _Stopped:
        pass
    except BaseException:
        stop.set()
        raise
    finally:
        for thread in senders:
            thread.join()
    if errors:
        raise errors[0]


def _put(pending: queue.Queue, item, stop: threading.Event) -> None:
    while True:
        if stop.is_set():
            raise _Stopped
        try:
            pending.put(item, timeout=0.1)
            return
        except queue.Full:
            continue


def _send(client, actions: Iterable[dict]) -> None:
    from opensearchpy.exceptions import TransportError
    from opensearchpy.helpers import BulkIndexError, streaming_bulk

    try:
        for ok, item in streaming_bulk(client, actions, chunk_size=BULK_ACTIONS, max_chunk_bytes=BULK_BYTES,
                                       max_retries=BULK_RETRIES, initial_backoff=1, max_backoff=30,
                                       raise_on_error=True, raise_on_exception=True,
                                       timeout=BULK_WAIT, request_timeout=REQUEST_TIMEOUT):
            if not ok:  # pragma: no cover - raise_on_error raises first
                raise RuntimeError(f"bulk action refused: {item}")
    except BulkIndexError as error:
        failed = [next(iter(item.values())) for item in error.errors]
        worst = max(failed, key=lambda result: result.get("status", 0))
        cause = worst.get("error") or {}
        reason = f"{cause.get('type', '?')}: {cause.get('reason', '')}" if isinstance(cause, dict) else str(cause)
        raise TransportError(worst.get("status", 500), f"{len(failed)} dépêche(s) non écrite(s) : {reason}"[:300]) from None
