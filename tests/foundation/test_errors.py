"""The exit codes of DESIGN §3, carried by the error classes."""

from __future__ import annotations

import pytest

from amsync import errors

EXPECTED = {
    errors.AmsyncError: 1,
    errors.ConfigError: 2,
    errors.UsageError: 2,
    errors.CredentialsMissing: 3,
    errors.SignInIncomplete: 3,
    errors.NotAppleMusicApi: 2,
    errors.ApiError: 1,
    errors.AuthorizationError: 3,
    errors.DeveloperTokenRejected: 3,
    errors.UserTokenRejected: 3,
    errors.SubscriptionRequired: 3,
    errors.TransientApiError: 75,
    errors.NotFound: 1,
    errors.BadRequest: 1,
    errors.MalformedResponse: 1,
    errors.StoreError: 1,
    errors.StoreUnavailable: 2,
    errors.SchemaTooNew: 2,
    errors.SchemaOutdated: 2,
    errors.LockHeld: 4,
    errors.SyncError: 1,
    errors.DeletionGuardTripped: 4,
    errors.IncompleteListing: 75,
    errors.FavouritesError: 1,
    errors.UnknownItem: 2,
    errors.ExportError: 1,
    errors.OutputPathError: 2,
    errors.ListeningHistoryError: 1,
    errors.UnusableAppleExport: 2,
    errors.NotListenBrainzApi: 2,
    errors.ListenServerError: 1,
    errors.ListenTokenRejected: 3,
    errors.ListenServerUnavailable: 75,
    errors.ListenServerRefused: 1,
    errors.MediaServerError: 1,
    errors.NotSubsonicApi: 2,
    errors.ServerIncompatible: 2,
    errors.ServerCredentialsRefused: 3,
    errors.ServerUnavailable: 75,
    errors.ServerChanged: 75,
    errors.NotificationUndelivered: 75,
}


@pytest.mark.parametrize(("cls", "code"), EXPECTED.items(), ids=lambda v: getattr(v, "__name__", v))
def test_exit_code(cls: type[errors.AmsyncError], code: int) -> None:
    assert cls("x").exit_code == code


def test_every_error_class_has_an_expected_code() -> None:
    def subclasses(cls: type) -> set[type]:
        found = set(cls.__subclasses__())
        for sub in list(found):
            found |= subclasses(sub)
        return found

    assert subclasses(errors.AmsyncError) | {errors.AmsyncError} == set(EXPECTED)


def test_hint_is_part_of_the_message() -> None:
    err = errors.UserTokenRejected("music user token refused", hint="run `amsync auth login`")
    assert str(err) == "music user token refused — run `amsync auth login`"
    assert errors.TransientApiError("x").retryable
    assert not errors.BadRequest("x").retryable
