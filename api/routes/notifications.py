"""Notification routes: a user's channels (add, list, change, remove, test) and the delivery
log. Channel secrets go in once and never come back."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query

from api.deps import AppDep, UserDep
from api.services.views import ChannelCreate, ChannelUpdate, ChannelView, DbId, DeliveryView

router = APIRouter(prefix="/notifications", tags=["notifications"])


@router.post("/channels", response_model=ChannelView, status_code=201)
def add_channel(body: ChannelCreate, app: AppDep, user: UserDep) -> ChannelView:
    return app.notifications.add_channel(user, body)


@router.get("/channels", response_model=list[ChannelView])
def list_channels(app: AppDep, user: UserDep) -> list[ChannelView]:
    return app.notifications.list_channels(user)


@router.patch("/channels/{channel_id}", response_model=ChannelView)
def update_channel(channel_id: DbId, body: ChannelUpdate, app: AppDep,
                   user: UserDep) -> ChannelView:
    return app.notifications.update_channel(user, channel_id, body)


@router.delete("/channels/{channel_id}", response_model=ChannelView)
def remove_channel(channel_id: DbId, app: AppDep, user: UserDep) -> ChannelView:
    return app.notifications.remove_channel(user, channel_id)


@router.post("/channels/{channel_id}/test", response_model=DeliveryView)
def test_channel(channel_id: DbId, app: AppDep, user: UserDep) -> DeliveryView:
    return app.notifications.test_channel(user, channel_id)


@router.get("/deliveries", response_model=list[DeliveryView])
def deliveries(
    app: AppDep, user: UserDep, channel_id: DbId | None = None,
    status: Literal["pending", "sending", "sent", "failed"] | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[DeliveryView]:
    return app.notifications.deliveries(user, channel_id, status, limit)
