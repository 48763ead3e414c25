"""Payment channel notification verifiers, one module per channel.

Each offers the ``ChannelVerifier`` shape from ``base``: ``verify(headers, body, now)``
returns a ``ChannelNotification`` or raises ``ChannelRejected``.
"""

from ringback.domain.payments.channels.alipay import AlipayVerifier
from ringback.domain.payments.channels.base import (
    ChannelAnswer,
    ChannelNotification,
    ChannelRejected,
    ChannelVerifier,
)
from ringback.domain.payments.channels.generic import GenericVerifier
from ringback.domain.payments.channels.wechatpay import WechatPayVerifier

__all__ = [
    "AlipayVerifier",
    "ChannelAnswer",
    "ChannelNotification",
    "ChannelRejected",
    "ChannelVerifier",
    "GenericVerifier",
    "WechatPayVerifier",
]
