"""A stand-in for Alipay's notification sender, speaking the real protocol.

It holds its own RSA key pair (the operator configures ringback with its public key,
exactly as with Alipay's) and produces form bodies signed with RSA2 the way Alipay
signs them, in UTF-8 or GBK, plus tampered variants for negative tests.
"""

from __future__ import annotations

import json
import secrets
from datetime import timedelta

from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey, RSAPublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from ringback.core.clock import Clock, SystemClock
from ringback.domain.payments.channels.alipay import AlipayVerifier
from ringback.domain.payments.channels.form import codec_for, decode_form, encode_form
from ringback.domain.payments.money import Money, format_major
from ringback.domain.payments.rsa2 import SIGN_FIELD, SIGN_TYPE_FIELD, SIGN_TYPE_RSA2, rsa2_sign
from ringback.domain.payments.simulator.request import SimulatedRequest
from ringback.domain.payments.timestamps import format_alipay_time

DEFAULT_APP_ID = "2021000000000001"
DEFAULT_SELLER_ID = "2088000000000001"
RSA_BITS = 2048


def generate_rsa_key() -> RSAPrivateKey:
    """A fresh 2048-bit key (about 0.1 s: generate once per test session)."""
    return rsa.generate_private_key(public_exponent=65537, key_size=RSA_BITS)


class AlipaySimulator:
    def __init__(
        self,
        *,
        app_id: str = DEFAULT_APP_ID,
        seller_id: str = DEFAULT_SELLER_ID,
        private_key: RSAPrivateKey | None = None,
        clock: Clock | None = None,
    ) -> None:
        self.app_id = app_id
        self.seller_id = seller_id
        self._private_key = private_key or generate_rsa_key()
        self._clock = clock or SystemClock()

    @property
    def public_key(self) -> RSAPublicKey:
        return self._private_key.public_key()

    def public_key_pem(self) -> bytes:
        """What the operator would download from the Alipay console as a PEM file."""
        return self.public_key.public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo)

    def verifier(self) -> AlipayVerifier:
        """A verifier configured for this simulated Alipay app."""
        return AlipayVerifier(app_id=self.app_id, alipay_public_key=self.public_key)

    def notify_fields(
        self,
        order_no: str,
        amount: Money,
        *,
        trade_status: str = "TRADE_SUCCESS",
        trade_no: str | None = None,
        notify_id: str | None = None,
        subject: str = "钻石礼包 x60",
        refund_fee: Money | None = None,
        charset: str = "utf-8",
    ) -> dict[str, str]:
        """The fields of one asynchronous notification, ``sign`` included."""
        now = self._clock.now()
        created = now - timedelta(seconds=30)
        total = format_major(amount)
        fields = {
            "notify_time": format_alipay_time(now),
            "notify_type": "trade_status_sync",
            "notify_id": notify_id or secrets.token_hex(16),
            "charset": charset,
            "version": "1.0",
            "sign_type": SIGN_TYPE_RSA2,
            "app_id": self.app_id,
            "auth_app_id": self.app_id,
            "trade_no": trade_no or f"{now:%Y%m%d}22001{secrets.randbelow(10**13):013d}",
            "out_trade_no": order_no,
            "seller_id": self.seller_id,
            "buyer_id": "2088102177846880",
            "buyer_logon_id": "158****1562",
            "trade_status": trade_status,
            "total_amount": total,
            "receipt_amount": total,
            "buyer_pay_amount": total,
            "invoice_amount": total,
            "point_amount": "0.00",
            "subject": subject,
            "gmt_create": format_alipay_time(created),
            "fund_bill_list": json.dumps(
                [{"amount": total, "fundChannel": "ALIPAYACCOUNT"}], separators=(",", ":")
            ),
        }
        if trade_status in ("TRADE_SUCCESS", "TRADE_FINISHED") or refund_fee is not None:
            fields["gmt_payment"] = format_alipay_time(created + timedelta(seconds=10))
        if refund_fee is not None:
            fields["refund_fee"] = format_major(refund_fee)
            fields["gmt_refund"] = format_alipay_time(now)
        return self.sign(fields, charset=charset)

    def sign(self, fields: dict[str, str], *, charset: str = "utf-8") -> dict[str, str]:
        """``fields`` with a fresh ``sign`` made by this simulator's key."""
        unsigned = {k: v for k, v in fields.items() if k != SIGN_FIELD}
        signature = rsa2_sign(unsigned, self._private_key, charset=codec_for(charset))
        return {**unsigned, SIGN_FIELD: signature}

    def notify_request(
        self,
        order_no: str,
        amount: Money,
        *,
        trade_status: str = "TRADE_SUCCESS",
        notify_id: str | None = None,
        refund_fee: Money | None = None,
        charset: str = "utf-8",
    ) -> SimulatedRequest:
        """A complete, correctly signed notification request."""
        fields = self.notify_fields(
            order_no,
            amount,
            trade_status=trade_status,
            notify_id=notify_id,
            refund_fee=refund_fee,
            charset=charset,
        )
        return form_request(fields, charset=charset)


def form_request(fields: dict[str, str], *, charset: str = "utf-8") -> SimulatedRequest:
    """A POST as Alipay sends it: form-encoded in ``charset``."""
    headers = {"Content-Type": f"application/x-www-form-urlencoded; charset={charset}"}
    return SimulatedRequest(headers, encode_form(fields, charset=charset))


def with_field(request: SimulatedRequest, name: str, value: str | None) -> SimulatedRequest:
    """The notification with one field changed (or removed) and the old ``sign`` kept:
    what an attacker editing the amount in transit would send."""
    fields, codec = decode_form(request.body)
    if value is None:
        fields.pop(name, None)
    else:
        fields[name] = value
    return form_request(fields, charset=fields.get("charset", codec))


def without_sign(request: SimulatedRequest) -> SimulatedRequest:
    return with_field(request, SIGN_FIELD, None)


def with_sign_type(request: SimulatedRequest, sign_type: str) -> SimulatedRequest:
    return with_field(request, SIGN_TYPE_FIELD, sign_type)
