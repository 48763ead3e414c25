"""A sample merchant server that is slow to acknowledge, for tests and the demo.

It answers HTTP 503 to its first ``unavailable_first`` notifications, then a wrong
body (``ok``, which is not an acknowledgement) ``wrong_body_next`` times, then
``success``. A notification whose signature does not verify gets 401 and does not
move the script along. "Connection refused" needs no code: start ``MerchantServer``
late, or stop it and start it again on the same port.

Signatures are checked the way a real merchant would: the Standard Webhooks headers
with the official ``standardwebhooks`` library (a dev dependency), and the RSA2
``sign`` field with ringback's public key when one is given.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from ringback.core.errors import InvalidInput
from ringback.domain.payments.merchant.notification import parse_notification_body, verify_rsa2
from ringback.domain.payments.secret import SigningSecret

ANSWER_UNAVAILABLE = b"service unavailable"
ANSWER_WRONG = b"ok"
ANSWER_SUCCESS = b"success"


@dataclass(frozen=True, slots=True)
class ReceivedNotification:
    path: str
    headers: dict[str, str]
    body: bytes
    fields: dict[str, Any] | None  # None when the body could not be parsed
    webhook_signature_ok: bool | None  # None when no signing secret is configured
    rsa2_ok: bool | None  # None when no RSA2 public key is configured
    answer_status: int
    answer_body: bytes

    @property
    def notification_id(self) -> str | None:
        value = (self.fields or {}).get("notification_id")
        return value if isinstance(value, str) else None


@dataclass
class MerchantSimulator:
    signing_secret: SigningSecret | None = None
    rsa2_public_key: RSAPublicKey | None = None
    unavailable_first: int = 0
    wrong_body_next: int = 0
    received: list[ReceivedNotification] = field(default_factory=list)
    _accepted_tries: int = 0

    @property
    def acknowledged_ids(self) -> list[str]:
        """Notification ids answered with ``success``, in order (repeats included)."""
        return [
            r.notification_id
            for r in self.received
            if r.answer_body == ANSWER_SUCCESS and r.notification_id is not None
        ]

    def make_app(self) -> web.Application:
        """The aiohttp application: POST to any path is a notification."""
        app = web.Application()
        app.router.add_post("/{path:.*}", self._handle)
        return app

    async def _handle(self, request: web.Request) -> web.Response:
        body = await request.read()
        headers = dict(request.headers)
        fields = _parse(body, request.headers.get("Content-Type"))
        webhook_ok = self._check_webhook(body, headers)
        rsa2_ok = None
        if self.rsa2_public_key is not None:
            rsa2_ok = fields is not None and verify_rsa2(fields, self.rsa2_public_key)
        status, answer = self._answer(webhook_ok is not False and rsa2_ok is not False)
        self.received.append(
            ReceivedNotification(
                request.path, headers, body, fields, webhook_ok, rsa2_ok, status, answer
            )
        )
        return web.Response(status=status, body=answer, content_type="text/plain")

    def _check_webhook(self, body: bytes, headers: dict[str, str]) -> bool | None:
        if self.signing_secret is None:
            return None
        try:
            Webhook(self.signing_secret.reveal()).verify(body, headers, json_parse=False)
        except WebhookVerificationError:
            return False
        return True

    def _answer(self, trusted: bool) -> tuple[int, bytes]:
        if not trusted:
            return 401, b"bad signature"
        self._accepted_tries += 1
        if self._accepted_tries <= self.unavailable_first:
            return 503, ANSWER_UNAVAILABLE
        if self._accepted_tries <= self.unavailable_first + self.wrong_body_next:
            return 200, ANSWER_WRONG
        return 200, ANSWER_SUCCESS


def _parse(body: bytes, content_type: str | None) -> dict[str, Any] | None:
    try:
        return parse_notification_body(body, content_type)
    except InvalidInput:
        return None


class MerchantServer:
    """Runs a ``MerchantSimulator`` on 127.0.0.1; stop and start again to refuse
    connections for a while on the same port."""

    def __init__(self, simulator: MerchantSimulator) -> None:
        self.simulator = simulator
        self.port: int | None = None
        self._runner: web.AppRunner | None = None

    @property
    def url(self) -> str:
        if self.port is None:
            raise RuntimeError("the server has not been started yet")
        return f"http://127.0.0.1:{self.port}/notify"

    async def start(self) -> None:
        """Listen on the previous port, or a free one the first time."""
        if self._runner is not None:
            return
        runner = web.AppRunner(self.simulator.make_app(), access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", self.port or 0)
        await site.start()
        host_port = runner.addresses[0]
        self.port = int(host_port[1])
        self._runner = runner

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> MerchantServer:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()
