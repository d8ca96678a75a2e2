"""The per-request context: who is asking, the services, and fresh loaders."""

from dataclasses import dataclass, field
from typing import Any

from gateway.domain.caller import Caller
from gateway.domain.history_reader import HistoryReader, Probe
from gateway.events import EventBus
from gateway.schema.client_identity import ANONYMOUS, ClientIdentity
from gateway.schema.loaders import Loaders, LoaderStats
from gateway.services.authentication import Authenticator
from gateway.services.cancellation import Cancellation
from gateway.services.commands import StakingCommands
from gateway.services.ledger import RewardsLedger
from gateway.services.preview import PreviewService
from gateway.services.provider_set import ProviderSet
from gateway.services.reads import StakingReader
from gateway.services.status_feed import StatusFeed
from gateway.services.stuck import StuckActionMonitor
from gateway.services.watcher import Watcher
from gateway.services.webhooks.registry import WebhookRegistry
from gateway.services.webhooks.sender import WebhookSender


@dataclass
class Services:
    """What resolvers may use: services and read ports, never the store itself."""

    history: HistoryReader
    database: Probe
    bus: EventBus
    providers: ProviderSet
    reader: StakingReader
    commands: StakingCommands
    previews: PreviewService
    feed: StatusFeed
    authenticator: Authenticator
    watcher: Watcher | None = None
    webhooks: WebhookRegistry | None = None
    ledger: RewardsLedger | None = None
    stuck: StuckActionMonitor | None = None
    cancellation: Cancellation | None = None
    webhook_sender: WebhookSender | None = None
    loader_stats: LoaderStats = field(default_factory=LoaderStats)


class NotAuthenticated(Exception):
    pass


class Context:
    def __init__(
        self,
        services: Services,
        caller: Caller | None,
        *,
        client: ClientIdentity = ANONYMOUS,
    ) -> None:
        self.services = services
        # The app and version the request names (metrics, logs and spans carry them).
        self.client = client
        self.reader = services.reader
        self.caller_or_none = caller
        self.loaders = self.fresh_loaders()
        # Strawberry fills this from a WebSocket's connection_init payload.
        self.connection_params: dict[str, Any] | None = None

    @property
    def caller(self) -> Caller:
        if self.caller_or_none is None:
            raise NotAuthenticated("Send `Authorization: Bearer <api key>`.")
        return self.caller_or_none

    def authenticate(self, caller: Caller) -> None:
        self.caller_or_none = caller
        self.loaders = self.fresh_loaders()

    def fresh_loaders(self) -> Loaders:
        """New loaders: nothing cached from before (per request, or per pushed event)."""
        services = self.services
        return Loaders(
            self.caller_or_none,
            services.reader,
            services.history,
            services.loader_stats,
        )
