"""``/v1/payments``: register orders, ask their status, see what channels sent and what
was refused, and send merchant notifications again. Behind the bearer token."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Response
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StrictInt

from ringback.domain.payments.repository import MAX_PAGE, TimeRange
from ringback.domain.payments.service import NewOrder, PaymentsService
from ringback.domain.payments.status import PaymentStatus
from ringback.domain.payments.views import order_detail_view, order_view, record_view
from ringback.interfaces.api.errors import fields_in
from ringback.interfaces.api.render import job_out
from ringback.interfaces.api.schemas import ErrorOut, JobDetailOut, JobOut

AppId = Annotated[str, Path(description="The merchant app's id.")]
OrderNo = Annotated[str, Path(description="The merchant's order number.")]
Limit = Annotated[int, Query(ge=1, le=MAX_PAGE)]
Cursor = Annotated[str | None, Query(description="next_cursor of the previous page.")]

_ERRORS: dict[int | str, dict[str, object]] = {
    401: {"model": ErrorOut, "description": "Missing or wrong bearer token."},
    404: {"model": ErrorOut, "description": "No such app or order."},
    409: {"model": ErrorOut, "description": "Conflicts with what is stored."},
    422: {"model": ErrorOut, "description": "Invalid input; `field` names the culprit."},
}


class RegisterOrderBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    app_id: str = Field(description="The merchant app the order belongs to.")
    order_no: str = Field(description="The merchant's order number (out_trade_no).")
    # Strict: 88.88 or "8888" is refused rather than turned into an integer.
    amount_minor: StrictInt = Field(description="The amount in minor units: 8888 is ¥88.88.")
    currency: str = Field(default="CNY", description="ISO 4217.")
    notify_url: str | None = Field(default=None, description="Overrides the app's URL.")
    attach: str | None = Field(default=None, description="Echoed in the notification.")
    channel: str | None = Field(default=None, description="The channel the buyer will use.")


class ResendDeadBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    since: AwareDatetime = Field(description="Resend notifications that died at or after.")


class OrderOut(BaseModel):
    app_id: str
    order_no: str
    amount_minor: int
    amount: str = Field(description="The same amount in major units, exact text.")
    currency: str
    status: PaymentStatus
    registered: bool = Field(description="False when learned from a channel notification.")
    created_at: AwareDatetime
    status_changed_at: AwareDatetime | None
    notify_url: str | None
    attach: str | None
    channel: str | None
    payment: dict[str, Any] | None = Field(description="What the channel reported.")
    notifications: list[dict[str, Any]] = Field(description="Statuses the merchant was sent.")


class OrderAnswer(BaseModel):
    order: OrderOut
    created: bool


class OrderListOut(BaseModel):
    orders: list[OrderOut]
    next_cursor: str | None


class MerchantNotificationOut(BaseModel):
    status: PaymentStatus
    notification_id: str
    jobs: list[JobDetailOut] = Field(description="The job, then one per resend after success.")


class OrderDetailOut(BaseModel):
    order: OrderOut
    channel_notifications: list[dict[str, Any]] = Field(description="Raw bodies included.")
    merchant_notifications: list[MerchantNotificationOut]


class RecordListOut(BaseModel):
    items: list[dict[str, Any]]
    next_cursor: str | None


class ResendOut(BaseModel):
    job: JobOut


class ResendDeadOut(BaseModel):
    resent: int = Field(description="How many dead notification jobs start a new series.")


def payments_router(payments: PaymentsService) -> APIRouter:
    router = APIRouter(prefix="/v1/payments", tags=["payments"], responses=_ERRORS)

    @router.post(
        "/orders",
        status_code=201,
        response_model=OrderAnswer,
        summary="Register an order",
        responses={200: {"model": OrderAnswer, "description": "Already registered, same data."}},
    )
    async def register(body: RegisterOrderBody, response: Response) -> OrderAnswer:
        with fields_in("body"):
            order, created = await payments.register_order(NewOrder(**body.model_dump()))
        if not created:
            response.status_code = 200
        return OrderAnswer(order=OrderOut.model_validate(order_view(order)), created=created)

    @router.get("/orders", response_model=OrderListOut, summary="List orders, newest first")
    async def list_orders(
        app: str | None = None,
        status: PaymentStatus | None = None,
        created_from: Annotated[AwareDatetime | None, Query(description="Inclusive.")] = None,
        created_to: Annotated[AwareDatetime | None, Query(description="Exclusive.")] = None,
        limit: Limit = 50,
        cursor: Cursor = None,
    ) -> OrderListOut:
        with fields_in("query"):
            page = await payments.list_orders(
                app_id=app,
                status=status,
                period=TimeRange(created_from, created_to),
                limit=limit,
                cursor=cursor,
            )
        return OrderListOut(
            orders=[OrderOut.model_validate(order_view(o)) for o in page.orders],
            next_cursor=page.next_cursor,
        )

    @router.get(
        "/orders/{app}/{order_no}",
        response_model=OrderDetailOut,
        summary="An order's status, its channel notifications and merchant notifications",
    )
    async def show(app: AppId, order_no: OrderNo) -> OrderDetailOut:
        return OrderDetailOut.model_validate(
            order_detail_view(await payments.order_status(app, order_no))
        )

    @router.post(
        "/orders/{app}/{order_no}/resend",
        response_model=ResendOut,
        summary="Send the order's latest merchant notification again",
    )
    async def resend(app: AppId, order_no: OrderNo) -> ResendOut:
        return ResendOut(job=job_out(await payments.resend(app, order_no)))

    @router.post(
        "/apps/{app}/resend-dead",
        response_model=ResendDeadOut,
        summary="Start again every notification of the app that died since a time",
    )
    async def resend_dead(app: AppId, body: ResendDeadBody) -> ResendDeadOut:
        with fields_in("body"):
            return ResendDeadOut(resent=await payments.resend_dead(app, body.since))

    @router.get("/apps", summary="The configured merchant apps (secrets as hints)")
    async def apps() -> dict[str, list[dict[str, Any]]]:
        return {"apps": [app.public_view() for app in payments.config.apps.values()]}

    @router.get(
        "/notifications",
        response_model=RecordListOut,
        summary="Accepted channel notifications, newest first",
    )
    async def notifications(
        app: str | None = None,
        received_from: Annotated[AwareDatetime | None, Query(description="Inclusive.")] = None,
        received_to: Annotated[AwareDatetime | None, Query(description="Exclusive.")] = None,
        limit: Limit = 50,
        cursor: Cursor = None,
    ) -> RecordListOut:
        with fields_in("query"):
            page = await payments.list_notifications(
                app_id=app,
                period=TimeRange(received_from, received_to),
                limit=limit,
                cursor=cursor,
            )
        return RecordListOut(
            items=[record_view(r) for r in page.records], next_cursor=page.next_cursor
        )

    @router.get(
        "/rejected",
        response_model=RecordListOut,
        summary="The audit log of refused channel requests, newest first",
    )
    async def rejected(
        channel: str | None = None,
        received_from: Annotated[AwareDatetime | None, Query(description="Inclusive.")] = None,
        received_to: Annotated[AwareDatetime | None, Query(description="Exclusive.")] = None,
        limit: Limit = 50,
        cursor: Cursor = None,
        raw: Annotated[bool, Query(description="Include the raw bodies.")] = False,
    ) -> RecordListOut:
        with fields_in("query"):
            page = await payments.list_rejected(
                channel=channel,
                period=TimeRange(received_from, received_to),
                limit=limit,
                cursor=cursor,
            )
        return RecordListOut(
            items=[record_view(r, with_raw=raw) for r in page.records],
            next_cursor=page.next_cursor,
        )

    return router
