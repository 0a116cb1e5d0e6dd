"""The one error tree of amsync.

Every error a user can meet is an ``AmsyncError``; each class carries the process exit code the
CLI turns it into (DESIGN §3), so the translation happens in exactly one place
(``amsync.cli.errors_to_exit``). Messages are one line, say what happened and what to do, and
never contain a token.

::

    AmsyncError (1, unexpected)
    ├── ConfigError (2)                  bad option, setting, environment value or path
    │   ├── UsageError (2)               a command used wrongly (e.g. a writing query)
    │   ├── NotAppleMusicApi (2)         the API URL does not answer like the Apple Music API
    │   └── NotListenBrainzApi (2)       a `listens push` URL that is no ListenBrainz API
    ├── CredentialsMissing (3)           no developer or music user token configured: a person
    │                                    must sign in or provide one (as `auth status` says)
    ├── SignInIncomplete (3)             `amsync auth login` got no token: timed out, declined,
    │                                    or MusicKit could not load or start
    ├── ApiError (1)                     talking to Apple Music          [retryable flag]
    │   ├── AuthorizationError (3)       a person must act
    │   │   ├── DeveloperTokenRejected   401 that re-signing did not cure
    │   │   ├── UserTokenRejected        403 confirmed by a probe: run `amsync auth login`
    │   │   └── SubscriptionRequired     no or insufficient Apple Music subscription
    │   ├── TransientApiError (75)       network, 5xx, 429 that outlasted the retry budget
    │   ├── NotFound (1)                 a single resource that does not exist
    │   ├── BadRequest (1)               Apple refused a request as malformed (4xx)
    │   └── MalformedResponse (1)        a response amsync cannot read (names the endpoint)
    ├── StoreError (1)                   the database
    │   ├── StoreUnavailable (2)         cannot open: missing server, not a database, corrupt
    │   ├── SchemaTooNew (2)             written by a newer amsync
    │   ├── SchemaOutdated (2)           needs `amsync db upgrade` (PostgreSQL)
    │   └── LockHeld (4)                 another live run holds the account's lock
    ├── SyncError (1)
    │   ├── DeletionGuardTripped (4)     a listing would remove too much; nothing changed
    │   └── IncompleteListing (75)       a listing stayed incomplete after its retries
    ├── FavouritesError (1)
    │   └── UnknownItem (2)              an id that is not in the mirror
    ├── ExportError (1)
    │   └── OutputPathError (2)          an output path that cannot be written
    ├── ListeningHistoryError (1)
    │   └── UnusableAppleExport (2)      not Apple's privacy export, or one amsync refuses to
    │                                    read (zip bomb, encrypted, a file it cannot parse)
    ├── ListenServerError (1)            talking to a ListenBrainz-protocol server
    │   ├── ListenTokenRejected (3)      the server refuses the token: get a new one
    │   ├── ListenServerUnavailable (75) network, 5xx, 429 that outlasted the retry budget
    │   └── ListenServerRefused (1)      refuses every listen, or answers what amsync cannot use
    ├── MediaServerError (1)             talking to a Subsonic-compatible server (code: the
    │   │                                Subsonic error code, when the server sent one)
    │   ├── NotSubsonicApi (2)           the URL does not answer like a Subsonic API
    │   ├── ServerIncompatible (2)       the server refuses amsync's protocol version (20, 30)
    │   ├── ServerCredentialsRefused (3) wrong user or password (40), API key refused (44),
    │   │                                the user may not do it (50), licence (60)
    │   ├── ServerUnavailable (75)       network, timeouts, 5xx that outlasted the retries
    │   └── ServerChanged (75)           songs vanished from the server during the push
    └── NotificationUndelivered (75)     `amsync notify test` could not reach a target (a run
                                         only warns: a notification never fails it)

    RunInterrupted (128 + signal)        SIGINT, SIGTERM or SIGHUP stopped the run; a
                                         ``BaseException`` like ``KeyboardInterrupt``, so that
                                         no ``except Exception`` swallows it
"""

from __future__ import annotations

from typing import ClassVar

EXIT_OK = 0
EXIT_UNEXPECTED = 1
EXIT_USAGE = 2
EXIT_AUTH = 3
EXIT_REFUSED = 4
EXIT_TEMPFAIL = 75


class AmsyncError(Exception):
    """Root of every error amsync raises on purpose."""

    exit_code: ClassVar[int] = EXIT_UNEXPECTED

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        if self.hint:
            return f"{self.message} — {self.hint}"
        return self.message


# --- configuration ---------------------------------------------------------------------------


class ConfigError(AmsyncError):
    """An option, setting, environment value or path that cannot be used."""

    exit_code = EXIT_USAGE


class UsageError(ConfigError):
    """A command used in a way it does not allow."""


class NotAppleMusicApi(ConfigError):
    """The API URL (``--api-url``) answers, but not like the Apple Music API: a wrong path,
    host or port."""


class NotListenBrainzApi(ConfigError):
    """The URL given to ``amsync listens push`` is not a ListenBrainz API root: not an
    http(s) URL, or a server that does not answer the token check like one."""


class CredentialsMissing(AmsyncError):
    """No developer token or music user token is configured: a person must sign in or provide
    one — exit 3 from every command that needs it, as ``auth status`` and ``doctor`` report a
    missing token."""

    exit_code = EXIT_AUTH


class SignInIncomplete(AmsyncError):
    """The browser sign-in ended without a music user token; a person must try again."""

    exit_code = EXIT_AUTH


# --- Apple Music API -------------------------------------------------------------------------


class ApiError(AmsyncError):
    """A failure talking to the Apple Music API."""

    retryable: ClassVar[bool] = False

    def __init__(
        self,
        message: str,
        *,
        hint: str | None = None,
        status: int | None = None,
        endpoint: str | None = None,
        code: str | None = None,
    ) -> None:
        super().__init__(message, hint=hint)
        self.status = status
        self.endpoint = endpoint
        self.code = code


class AuthorizationError(ApiError):
    """Apple refused the credentials; a person must act."""

    exit_code = EXIT_AUTH


class DeveloperTokenRejected(AuthorizationError):
    """The developer token was refused (401) and could not be renewed."""


class UserTokenRejected(AuthorizationError):
    """The music user token was refused (403), confirmed by a probe."""


class SubscriptionRequired(AuthorizationError):
    """The account has no (or an insufficient) Apple Music subscription."""


class TransientApiError(ApiError):
    """Network trouble, 5xx or throttling that outlasted the retry budget."""

    exit_code = EXIT_TEMPFAIL
    retryable = True


class NotFound(ApiError):
    """A single resource that Apple does not know."""


class BadRequest(ApiError):
    """Apple answered 4xx to a request it considers malformed."""


class MalformedResponse(ApiError):
    """A response that cannot be read: bad JSON, or a resource without what amsync needs."""


# --- database --------------------------------------------------------------------------------


class StoreError(AmsyncError):
    """A failure of the local database."""


class StoreUnavailable(StoreError):
    """The database cannot be opened: unreachable, not a database, or corrupt."""

    exit_code = EXIT_USAGE


class SchemaTooNew(StoreError):
    """The database was written by a newer amsync."""

    exit_code = EXIT_USAGE


class SchemaOutdated(StoreError):
    """The database schema is older than this amsync and was not upgraded automatically."""

    exit_code = EXIT_USAGE


class LockHeld(StoreError):
    """Another live run holds this account's lock."""

    exit_code = EXIT_REFUSED


# --- use-cases -------------------------------------------------------------------------------


class SyncError(AmsyncError):
    """A sync that could not complete."""


class DeletionGuardTripped(SyncError):
    """A listing would remove more than allowed; the run changed nothing."""

    exit_code = EXIT_REFUSED


class IncompleteListing(SyncError):
    """A listing stayed incomplete after its retries; nothing was removed."""

    exit_code = EXIT_TEMPFAIL


class FavouritesError(AmsyncError):
    """A favourites operation that could not be done."""


class UnknownItem(FavouritesError):
    """An id that is not in the mirror."""

    exit_code = EXIT_USAGE


class ExportError(AmsyncError):
    """An export that could not be written."""


class OutputPathError(ExportError):
    """An output path that cannot be written."""

    exit_code = EXIT_USAGE


class ListeningHistoryError(AmsyncError):
    """Importing or reading the listening history failed."""


class UnusableAppleExport(ListeningHistoryError):
    """The given path is not Apple's privacy export, or one amsync refuses to read: a zip
    bomb, an encrypted archive, a file whose required columns are missing."""

    exit_code = EXIT_USAGE


class ListenServerError(AmsyncError):
    """A failure talking to a ListenBrainz-protocol server (``amsync listens push``)."""


class ListenTokenRejected(ListenServerError):
    """The server refused the user token (``validate-token`` says invalid, or 401/403)."""

    exit_code = EXIT_AUTH


class ListenServerUnavailable(ListenServerError):
    """Network trouble, 5xx or throttling that outlasted the retry budget."""

    exit_code = EXIT_TEMPFAIL


class ListenServerRefused(ListenServerError):
    """The server refuses listen after listen, or answers in a way amsync cannot use."""


# --- media servers (Subsonic API) ------------------------------------------------------------


class MediaServerError(AmsyncError):
    """A Subsonic-compatible server answered with an error amsync cannot work around.
    ``code`` is the Subsonic error code (0, 10, 20, …, 70) when the server sent one."""

    def __init__(self, message: str, *, hint: str | None = None, code: int | None = None) -> None:
        super().__init__(message, hint=hint)
        self.code = code


class NotSubsonicApi(MediaServerError):
    """The URL answers, but not like a Subsonic API: a web page, a wrong path or port."""

    exit_code = EXIT_USAGE


class ServerIncompatible(MediaServerError):
    """The server and amsync speak incompatible versions of the protocol (error 20 or 30)."""

    exit_code = EXIT_USAGE


class ServerCredentialsRefused(MediaServerError):
    """The server refused the user, password or API key (error 40, 41, 44), or the user may
    not do what amsync asked (50); a person must act."""

    exit_code = EXIT_AUTH


class ServerUnavailable(MediaServerError):
    """The server could not be reached, timed out or failed (5xx) past the retry budget."""

    exit_code = EXIT_TEMPFAIL


class ServerChanged(MediaServerError):
    """The server refused a track list because songs in it are gone (it scanned during the
    push); the next push reads its catalogue afresh."""

    exit_code = EXIT_TEMPFAIL


class NotificationUndelivered(AmsyncError):
    """A test notification that did not arrive (the target unreachable or refusing)."""

    exit_code = EXIT_TEMPFAIL


# --- signals ---------------------------------------------------------------------------------


class RunInterrupted(BaseException):
    """The process received SIGINT, SIGTERM or SIGHUP. Runs record themselves ``interrupted``
    and clean up; the process exits 128 + the signal number (130, 143, 129)."""

    def __init__(self, signal_number: int, signal_name: str) -> None:
        super().__init__(signal_name)
        self.signal_number = signal_number
        self.signal_name = signal_name

    @property
    def exit_code(self) -> int:
        return 128 + self.signal_number
