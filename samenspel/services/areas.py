"""How a neighbourhood's brokers want to work: the area settings (one row per neighbourhood in
table AreaSetting; no row means the defaults)."""

from __future__ import annotations

from sqlmodel import Session

from samenspel.i18n import t
from samenspel.services.audit import record
from samenspel.services.errors import NotAllowed
from samenspel.services.permissions import Actor, covers_area, require_role
from samenspel.storage.models import AreaSetting, utcnow


def auto_introduces(session: Session, area: str) -> bool:
    """Whether a suggestion both sides asked for is introduced at once in `area`, without
    waiting for the broker (default: no, the broker introduces)."""
    setting = session.get(AreaSetting, area)
    return bool(setting and setting.auto_introduce)


def set_auto_introduce(*, session: Session, actor: Actor, area: str, on: bool) -> AreaSetting:
    """The area's broker (or an administrator) chooses "both said yes = introduced"."""
    require_role(actor, "broker", "admin")
    if not area or not covers_area(actor, area):
        raise NotAllowed(t("Dit mag alleen de buurtmakelaar van deze buurt instellen."))
    setting = session.get(AreaSetting, area) or AreaSetting(area=area)
    setting.auto_introduce = on
    setting.updated_by_id = actor.user_id
    setting.updated_at = utcnow()
    session.add(setting)
    record(session, user_id=actor.user_id, action="area_setting", entity="area", entity_id=None,
           detail=f"{area}: auto_introduce={'on' if on else 'off'}")  # fmt: skip
    session.flush()
    return setting
