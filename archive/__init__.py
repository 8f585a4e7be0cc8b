"""Reading dispatch files (text, HTML, JSON Lines) into one `Dispatch` model."""

from archive.discover import Found, Run, discover, walk
from archive.errors import UnreadableDispatch
from archive.model import DateSource, Dispatch, PartialDate, Precision
from archive.readers import Reading, read_file

__all__ = [
    "DateSource",
    "Dispatch",
    "Found",
    "PartialDate",
    "Precision",
    "Reading",
    "Run",
    "UnreadableDispatch",
    "discover",
    "read_file",
    "walk",
]
