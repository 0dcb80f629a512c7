"""The one error every reader raises for a file it cannot use.

``code`` is a stable identifier (callers choose their wording by it, e.g. the bot's Chinese
reasons); ``message`` is English for logs and the CLI and names the reason.
"""

from __future__ import annotations


class UnreadableFile(Exception):
    """A corpus file that cannot be used; str() is the reason, for the report."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message

    def __str__(self) -> str:
        return self.message
