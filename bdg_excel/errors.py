"""The base of every error a user can fix; the CLI shows it as one Vietnamese line (exit 2)."""


class BdgError(Exception):
    """Cannot continue: unreadable plan, unwritable output, busy store, bad mail settings."""
