"""A stand-in for WeChat Pay's v3 notification sender, speaking the real protocol.

It holds a platform key pair and its serial number, and the merchant's APIv3 key.
Each notification is what WeChat Pay sends: the transaction encrypted with
AEAD_AES_256_GCM into ``resource``, and the ``Wechatpay-*`` headers signed with
SHA256withRSA over ``timestamp\\nnonce\\nbody\\n``.
"""

from __future__ import annotations

import base64
import json
import secrets
import string
from datetime import UTC, datetime, timedelta
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey, RSAPublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from ringback.core.clock import Clock, SystemClock
from ringback.domain.payments.channels.wechatpay import (
    AEAD_ALGORITHM,
    HEADER_NONCE,
    HEADER_SERIAL,
    HEADER_SIGNATURE,
    HEADER_SIGNATURE_TYPE,
    HEADER_TIMESTAMP,
    SIGNATURE_TYPE,
    WechatPayVerifier,
    signing_message,
)
from ringback.domain.payments.money import Money
from ringback.domain.payments.secret import Secret
from ringback.domain.payments.simulator.alipay_sim import generate_rsa_key
from ringback.domain.payments.simulator.request import SimulatedRequest
from ringback.domain.payments.timestamps import BEIJING

DEFAULT_APPID = "wxd678efh567hg6787"
DEFAULT_MCHID = "1230000109"
_ALNUM = string.ascii_letters + string.digits


def _random_text(n_chars: int) -> str:
    return "".join(secrets.choice(_ALNUM) for _ in range(n_chars))


def _beijing_rfc3339(when: datetime) -> str:
    return when.astimezone(BEIJING).isoformat(timespec="seconds")


class WechatPaySimulator:
    def __init__(
        self,
        *,
        appid: str = DEFAULT_APPID,
        mchid: str = DEFAULT_MCHID,
        private_key: RSAPrivateKey | None = None,
        serial: str | None = None,
        api_v3_key: str | None = None,
        clock: Clock | None = None,
    ) -> None:
        self.appid = appid
        self.mchid = mchid
        self._private_key = private_key or generate_rsa_key()
        # Platform certificate serials are 40 upper-case hex digits.
        self.serial = serial or secrets.token_hex(20).upper()
        self._api_v3_key = Secret(api_v3_key or _random_text(32), field="api_v3_key")
        self._clock = clock or SystemClock()

    @property
    def public_key(self) -> RSAPublicKey:
        return self._private_key.public_key()

    @property
    def platform_public_keys(self) -> dict[str, RSAPublicKey]:
        return {self.serial: self.public_key}

    @property
    def api_v3_key(self) -> Secret:
        return self._api_v3_key

    def verifier(self) -> WechatPayVerifier:
        return WechatPayVerifier(
            appid=self.appid,
            mchid=self.mchid,
            platform_keys=self.platform_public_keys,
            api_v3_key=self._api_v3_key,
        )

    def transaction(
        self,
        order_no: str,
        amount: Money,
        *,
        trade_state: str = "SUCCESS",
        transaction_id: str | None = None,
        attach: str = "",
    ) -> dict[str, Any]:
        """The decrypted transaction, as WeChat Pay describes a payment."""
        now = self._clock.now()
        transaction: dict[str, Any] = {
            "appid": self.appid,
            "mchid": self.mchid,
            "out_trade_no": order_no,
            "transaction_id": transaction_id or f"4200{secrets.randbelow(10**24):024d}",
            "trade_type": "JSAPI",
            "trade_state": trade_state,
            "trade_state_desc": "支付成功" if trade_state == "SUCCESS" else trade_state,
            "bank_type": "CMC",
            "attach": attach,
            "payer": {"openid": "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"},
            "amount": {
                "total": amount.amount_minor,
                "payer_total": amount.amount_minor,
                "currency": amount.currency,
                "payer_currency": amount.currency,
            },
        }
        if trade_state == "SUCCESS":
            transaction["success_time"] = _beijing_rfc3339(now - timedelta(seconds=5))
        return transaction

    def encrypt(self, plaintext: bytes, *, associated_data: str = "transaction") -> dict[str, str]:
        """A ``resource`` object: AES-256-GCM under the APIv3 key, tag appended."""
        nonce = _random_text(12)
        aead = AESGCM(self._api_v3_key.reveal().encode("utf-8"))
        sealed = aead.encrypt(nonce.encode(), plaintext, associated_data.encode() or None)
        return {
            "original_type": "transaction",
            "algorithm": AEAD_ALGORITHM,
            "ciphertext": base64.b64encode(sealed).decode("ascii"),
            "associated_data": associated_data,
            "nonce": nonce,
        }

    def envelope(self, resource: dict[str, str], *, event_id: str | None = None) -> bytes:
        """The notification body around an encrypted ``resource``."""
        now = self._clock.now()
        body = {
            "id": event_id or f"EV-{secrets.token_hex(10)}",
            "create_time": _beijing_rfc3339(now),
            "resource_type": "encrypt-resource",
            "event_type": "TRANSACTION.SUCCESS",
            "summary": "支付成功",
            "resource": resource,
        }
        return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")

    def signed(self, body: bytes, *, sent_at: datetime | None = None) -> SimulatedRequest:
        """``body`` with the headers WeChat Pay signs it with, at ``sent_at`` (default now)."""
        timestamp = str(int((sent_at or self._clock.now()).timestamp()))
        nonce = _random_text(32)
        signature = self._private_key.sign(
            signing_message(timestamp, nonce, body), padding.PKCS1v15(), hashes.SHA256()
        )
        headers = {
            "Content-Type": "application/json",
            HEADER_TIMESTAMP: timestamp,
            HEADER_NONCE: nonce,
            HEADER_SIGNATURE: base64.b64encode(signature).decode("ascii"),
            HEADER_SERIAL: self.serial,
            HEADER_SIGNATURE_TYPE: SIGNATURE_TYPE,
        }
        return SimulatedRequest(headers, body)

    def notification(
        self,
        order_no: str,
        amount: Money,
        *,
        trade_state: str = "SUCCESS",
        event_id: str | None = None,
        sent_at: datetime | None = None,
    ) -> SimulatedRequest:
        """A complete, genuine payment notification."""
        transaction = self.transaction(order_no, amount, trade_state=trade_state)
        return self.notification_for(transaction, event_id=event_id, sent_at=sent_at)

    def notification_for(
        self,
        transaction: dict[str, Any],
        *,
        event_id: str | None = None,
        sent_at: datetime | None = None,
    ) -> SimulatedRequest:
        """A genuine notification for any transaction object (e.g. another appid)."""
        plaintext = json.dumps(transaction, ensure_ascii=False).encode("utf-8")
        body = self.envelope(self.encrypt(plaintext), event_id=event_id)
        return self.signed(body, sent_at=sent_at)

    def with_tampered_ciphertext(self, request: SimulatedRequest) -> SimulatedRequest:
        """One ciphertext bit flipped and the headers signed again, so the signature
        passes and only the GCM tag can catch the change."""
        envelope = json.loads(request.body)
        sealed = bytearray(base64.b64decode(envelope["resource"]["ciphertext"]))
        sealed[0] ^= 0x01
        envelope["resource"]["ciphertext"] = base64.b64encode(bytes(sealed)).decode("ascii")
        body = json.dumps(envelope, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        sent_at = datetime.fromtimestamp(int(request.headers[HEADER_TIMESTAMP]), tz=UTC)
        return self.signed(body, sent_at=sent_at)
