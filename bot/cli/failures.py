"""The one exception every `pingyi` command raises for a failure it can explain."""

from __future__ import annotations


class CommandFailed(Exception):
    """The command could not do its work; `str()` is the one line to print (exit status 1)."""
