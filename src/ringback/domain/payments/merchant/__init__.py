"""Merchant applications and the notifications ringback sends them."""

from ringback.domain.payments.merchant.app import (
    MerchantApp,
    NotificationFormat,
    parse_merchant_app,
)
from ringback.domain.payments.merchant.notification import (
    MerchantNotification,
    OrderEvent,
    build_notification,
    notification_id,
    parse_notification_body,
    verify_rsa2,
)
from ringback.domain.payments.merchant.webhook_signature import standard_webhook_headers

__all__ = [
    "MerchantApp",
    "MerchantNotification",
    "NotificationFormat",
    "OrderEvent",
    "build_notification",
    "notification_id",
    "parse_merchant_app",
    "parse_notification_body",
    "standard_webhook_headers",
    "verify_rsa2",
]
