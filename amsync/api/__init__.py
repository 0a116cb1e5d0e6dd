"""The Apple Music API adapter: client, tokens, retry policy and adaptive request rate."""

from amsync.api.client import AppleMusicClient, PageCallback
from amsync.api.config import DEFAULT_BASE_URL, ClientConfig
from amsync.api.rate import LearnedRate, RateSettings
from amsync.api.rating_types import RATING_TYPES, rating_type_for
from amsync.api.retry import DEFAULT_RULES, Failure, RetryRule
from amsync.api.stats import RequestStats
from amsync.api.tokens import (
    DeveloperTokenProvider,
    GivenOrSignedDeveloperToken,
    JwtInfo,
    SigningDeveloperToken,
    StaticDeveloperToken,
    describe_jwt,
)
from amsync.api.writes import TrackRef
from amsync.domain import FolderTree

__all__ = [
    "DEFAULT_BASE_URL",
    "DEFAULT_RULES",
    "RATING_TYPES",
    "AppleMusicClient",
    "ClientConfig",
    "DeveloperTokenProvider",
    "Failure",
    "FolderTree",
    "GivenOrSignedDeveloperToken",
    "JwtInfo",
    "LearnedRate",
    "PageCallback",
    "RateSettings",
    "RequestStats",
    "RetryRule",
    "SigningDeveloperToken",
    "StaticDeveloperToken",
    "TrackRef",
    "describe_jwt",
    "rating_type_for",
]
