"""Errors a user can act on.

Every error raised for bad input is an ``SfoError``; the CLI turns it into one line
``error: ...`` on stderr and exit code 2, so no user ever sees a traceback.
"""


class SfoError(Exception):
    """Base class: the message is shown to the user as it is."""

    exit_code = 2


class InputError(SfoError):
    """The input file cannot be read as a review (missing, wrong type, corrupt...)."""


class EncryptedError(InputError):
    """The PDF is encrypted and no (or a wrong) password was given."""


class NoTextError(InputError):
    """The file has no text layer (a scanned PDF)."""


class LimitError(InputError):
    """The file exceeds a configured size, page or inflation limit."""


class UsageError(SfoError):
    """The command was called with options that do not fit together."""
