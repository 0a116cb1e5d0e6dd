"""How an ``AppleMusicClient`` is set up. Built by the CLI from ``Settings``; tests build it
directly."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from amsync import __version__
from amsync.api.rate import LearnedRate, RateSettings
from amsync.api.retry import DEFAULT_RULES, Failure, RetryRule
from amsync.api.tokens import DeveloperTokenProvider
from amsync.config.secret import Secret

DEFAULT_BASE_URL = "https://api.music.apple.com"
MAX_PAGE_LIMIT = 100  # the most Apple accepts on library listings (200 → HTTP 400)


@dataclass(frozen=True, slots=True, kw_only=True)
class ClientConfig:
    """Everything the client needs. ``storefront`` overrides ``/v1/me/storefront``.

    ``retry_budget_s`` caps the total time one request spends retrying (``retry_budget_source``
    says where that value came from, e.g. ``AMSYNC_RETRY_BUDGET``); ``rate`` and
    ``retry_rules`` tune the adaptive rate and the retry table; ``start_rate`` is where an
    earlier run's rate ended (``None``: a cold start at ``rate.initial_rate``); ``page_limit`` is
    the listing page size; ``catalog_batch_size`` the first catalog multi-get size (halved on 504
    down to ``catalog_batch_floor``; Apple's maximum is 300).
    """

    base_url: str = DEFAULT_BASE_URL
    api_url_source: str = "the default"  # where base_url came from, for messages
    developer_token: DeveloperTokenProvider
    music_user_token: Secret | None = None
    storefront: str | None = None
    retry_budget_s: float = 60.0
    retry_budget_source: str = "the default"  # where the budget came from, for messages
    timeout_s: float = 30.0
    connect_timeout_s: float = 10.0
    max_concurrency: int = 8
    rate: RateSettings = field(default_factory=RateSettings)
    start_rate: LearnedRate | None = None
    retry_rules: Mapping[Failure, RetryRule] = field(default_factory=lambda: DEFAULT_RULES)
    page_limit: int = MAX_PAGE_LIMIT
    short_page_retries: int = 2
    missing_page_retries: int = 3
    catalog_batch_size: int = 150
    catalog_batch_floor: int = 10
    user_agent: str = f"amsync/{__version__}"

    def __post_init__(self) -> None:
        if not 1 <= self.page_limit <= MAX_PAGE_LIMIT:
            raise ValueError(f"page_limit must be between 1 and {MAX_PAGE_LIMIT}")
        if not 1 <= self.catalog_batch_floor <= self.catalog_batch_size <= 300:
            raise ValueError("need 1 <= catalog_batch_floor <= catalog_batch_size <= 300")
        if self.max_concurrency < 1 or self.retry_budget_s < 0 or self.timeout_s <= 0:
            raise ValueError("max_concurrency >= 1, retry_budget_s >= 0 and timeout_s > 0")
