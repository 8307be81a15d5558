"""Errors that stop `python -m bot` with one line, importable without loading aiogram."""


class HttpListenError(Exception):
    """The HTTP server cannot listen where WEB_LISTEN says; the message is one line naming it."""
