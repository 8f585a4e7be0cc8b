"""Reaching the cluster: where it is (`Target`), a client, and its failures turned into
the archive's own errors, so that no opensearch-py type leaves `index/`.

`ARCHIVE_OPENSEARCH_URL` names the nodes, comma-separated; a user and password go in the
addresses' user part (`https://reader:secret@search-1:9200`), and are never printed.
`ARCHIVE_OPENSEARCH_VERIFY` (`false` to accept any certificate, or a CA bundle's path)
says how an `https` cluster is trusted.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from index.errors import ArchiveIndexError, IndexMissing, NeedsRebuild, SearchUnavailable

DEFAULT_URL = "http://127.0.0.1:9200"
DEFAULT_INDEX = "archive"
# Seconds a request may take (a bulk batch, a deep page) before the cluster counts as gone.
REQUEST_TIMEOUT = 60


@dataclass(frozen=True)
class Target:
    """An archive on a cluster: its nodes, the alias searches read (`index`), and how
    TLS certificates are checked (True, False, or a CA bundle's path)."""

    urls: tuple[str, ...] = (DEFAULT_URL,)
    index: str = DEFAULT_INDEX
    verify: bool | str = True

    @classmethod
    def from_settings(cls, url: str | None = None, index: str | None = None, verify: str | bool | None = None) -> Target:
        urls = tuple(u.strip() for u in (url or DEFAULT_URL).split(",") if u.strip()) or (DEFAULT_URL,)
        return cls(urls, (index or DEFAULT_INDEX).strip().lower(), _verify(verify))

    @property
    def shown(self) -> str:
        """The addresses without their passwords, for messages."""
        return ", ".join(_without_password(url) for url in self.urls)


def _verify(value: str | bool | None) -> bool | str:
    if value is None or isinstance(value, bool):
        return True if value is None else value
    text = value.strip()
    if text.lower() in ("", "1", "true", "yes", "on"):
        return True
    if text.lower() in ("0", "false", "no", "off"):
        return False
    return text  # a CA bundle


def _without_password(url: str) -> str:
    parts = urlsplit(url if "://" in url else f"http://{url}")
    host = parts.hostname or "?"
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{host}{port}{parts.path if parts.path not in ('', '/') else ''}"


class ClusterUnavailable(SearchUnavailable):
    """The cluster does not answer, or answers that it cannot serve (5xx)."""

    def __init__(self, target: Target, reason: str) -> None:
        super().__init__(f"le cluster OpenSearch {target.shown} ne répond pas ({reason})")


class ClusterIndexMissing(IndexMissing):
    def __init__(self, target: Target) -> None:
        ArchiveIndexError.__init__(
            self, f"aucun index d’archive « {target.index} » sur le cluster OpenSearch {target.shown} : "
                  "lancez d’abord « archive reindex --backend opensearch »")


class ClusterNeedsRebuild(NeedsRebuild):
    def __init__(self, target: Target) -> None:
        ArchiveIndexError.__init__(
            self, f"l’index « {target.index} » sur {target.shown} a été écrit par une autre version de l’archive : "
                  "lancez « archive reindex --backend opensearch --rebuild »")


class ClusterRefused(ArchiveIndexError):
    """The cluster refused a request (a mapping conflict, missing rights)."""

    def __init__(self, target: Target, reason: str) -> None:
        super().__init__(f"le cluster OpenSearch {target.shown} a refusé la requête : {reason}")


def connect(target: Target):
    """An opensearch-py client over every node of `target`. Requests a node cannot
    serve (502, 503, 504) are retried on the others, with the client's back-off."""
    from opensearchpy import OpenSearch

    hosts, auth = [], None
    for url in target.urls:
        parts = urlsplit(url if "://" in url else f"http://{url}")
        if parts.username is not None:
            auth = (unquote(parts.username), unquote(parts.password or ""))
        hosts.append({"host": parts.hostname or "127.0.0.1", "port": parts.port or 9200,
                      "scheme": parts.scheme or "http", "url_prefix": parts.path.rstrip("/")})
    tls = any(h["scheme"] == "https" for h in hosts)
    options = {"use_ssl": tls}
    if tls:
        options["verify_certs"] = target.verify is not False
        if isinstance(target.verify, str):
            options["ca_certs"] = target.verify
        if target.verify is False:
            options["ssl_show_warn"] = False
    return OpenSearch(hosts=hosts, http_auth=auth, timeout=REQUEST_TIMEOUT, max_retries=3, retry_on_timeout=True,
                      retry_on_status=(502, 503, 504), **options)


@contextmanager
def answering(target: Target) -> Iterator[None]:
    """Turns the client's failures into the archive's errors (one line each)."""
    from opensearchpy import exceptions

    try:
        yield
    except exceptions.ConnectionError as error:  # ConnectionTimeout, SSLError included
        raise ClusterUnavailable(target, _reason(error)) from None
    except exceptions.NotFoundError as error:
        if "index_not_found" in str(error.error) or "no such index" in str(error.info):
            raise ClusterIndexMissing(target) from None
        raise ClusterRefused(target, _reason(error)) from None
    except exceptions.TransportError as error:
        if isinstance(error.status_code, int) and error.status_code >= 500:
            raise ClusterUnavailable(target, _reason(error)) from None
        raise ClusterRefused(target, _reason(error)) from None


def _reason(error) -> str:
    status = getattr(error, "status_code", None)
    if isinstance(status, int):
        return f"HTTP {status} {getattr(error, 'error', '')}".strip()
    cause = getattr(error, "info", None) or error
    text = " ".join(str(cause).split())
    return text[:200] or type(error).__name__
