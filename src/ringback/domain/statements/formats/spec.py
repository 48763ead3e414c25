"""Choosing a statement format from configuration."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from ringback.core.errors import InvalidInput

from .alipay import AlipayFormat
from .delimited import DelimitedFormat
from .wechatpay import WeChatPayFormat

FormatSpec = DelimitedFormat | AlipayFormat | WeChatPayFormat

_BY_TYPE: dict[str, Callable[[Mapping[str, object]], FormatSpec]] = {
    "delimited": DelimitedFormat.from_config,
    "alipay": AlipayFormat.from_config,
    "wechatpay": WeChatPayFormat.from_config,
}


def parse_format_spec(config: Mapping[str, object]) -> FormatSpec:
    """``{"type": "delimited", "delimiter": "|", …}`` / ``{"type": "alipay"}`` / … → format.

    Raises ``InvalidInput`` naming the field (``format.type``, ``format.totals.line`` …).
    """
    if not isinstance(config, Mapping):
        raise InvalidInput("format must be an object", field="format")
    kind = config.get("type")
    build = _BY_TYPE.get(kind) if isinstance(kind, str) else None
    if build is None:
        raise InvalidInput(
            f"format.type must be one of {', '.join(_BY_TYPE)}, got {kind!r}", field="format.type"
        )
    return build(config)
