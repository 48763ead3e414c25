"""The job that tells a merchant about an order's new status.

An HTTP job like any other, so the dispatcher, its schedule, its attempts and every
operator action apply unchanged. What makes it a payment notification:

- the body is built once (``build_notification``: JSON or form, RSA2-signed when the
  app has a key) and stored in the job, so every attempt sends the same bytes;
- the job's key is the notification id: the store refuses a second job with it, so a
  channel resending its own notification can never notify the merchant twice, and
  the ``webhook-id`` header a merchant deduplicates on is that id on every attempt;
- it is signed with the app's own secret, named in the payload (never the secret);
- the app's schedule and success rule decide when it is done.
"""

from __future__ import annotations

from datetime import datetime

from ringback.core.jobs import Job, JobKind
from ringback.core.service.requests import SubmitRequest
from ringback.domain.payments.config import secret_name
from ringback.domain.payments.merchant import MerchantApp, OrderEvent, build_notification
from ringback.domain.payments.orders import Order
from ringback.domain.payments.status import PaymentStatus

QUEUE = "payments"
LABEL_APP = "app"
LABEL_ORDER = "order"
LABEL_STATUS = "status"


def order_event(order: Order, status: PaymentStatus) -> OrderEvent:
    payment = order.payment
    return OrderEvent(
        app_id=order.app_id,
        order_no=order.order_no,
        channel=payment.channel if payment else (order.channel or ""),
        channel_txn_no=payment.channel_txn_no if payment else "",
        amount=order.amount,
        status=status,
        paid_at=payment.paid_at if payment else None,
        attach=order.attach,
    )


def notification_request(
    app: MerchantApp, order: Order, status: PaymentStatus, *, now: datetime
) -> SubmitRequest:
    """The HTTP job for telling ``app`` that ``order`` reached ``status``."""
    notification = build_notification(app, order_event(order, status), now=now)
    payload = {
        "url": order.notify_url or app.notify_url,
        "method": "POST",
        "headers": {"Content-Type": notification.content_type},
        "body": notification.body.decode("utf-8"),
        "success": app.success_rule.to_json(),
        "signing_secret": secret_name(app.app_id),
    }
    return SubmitRequest(
        kind=JobKind.HTTP,
        payload=payload,
        policy=app.schedule,
        key=notification.notification_id,
        queue=QUEUE,
        labels=labels(order.app_id, order.order_no, status),
    )


def resend_request(first: Job, key: str) -> SubmitRequest:
    """A fresh job sending exactly what ``first`` sent (the same body, so the same
    notification id inside) under a new key: the merchant already acknowledged the
    first one, and an operator wants it delivered once more."""
    return SubmitRequest(
        kind=first.kind,
        payload=first.payload,
        policy=first.policy,
        key=key,
        queue=first.queue,
        labels=first.labels,
    )


def labels(app_id: str, order_no: str, status: PaymentStatus) -> dict[str, str]:
    return {LABEL_APP: app_id, LABEL_ORDER: order_no, LABEL_STATUS: status.value}
