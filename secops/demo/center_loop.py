"""The demo's last step: the school and its provincial center, both ways, on loopback.

A center is started in a temporary home; the demo school is registered and pins the center's
signing key; one forwarder pass sends its alerts, its incident (with the 1-hour clock) and a
check-in; the center issues a 通报, the next pass brings it down (a 60-hour incident at the
school), the school acknowledges it and the center sees that.
"""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from secops.config import ForwardConfig, load_workspace, save_config
from secops.i18n import _

CENTER_NAME = "省教育网络安全监测中心（演示）"


def run_center_loop(
    workspace_dir: Path, school_code: str, school_name: str, progress: Callable[[str], None]
) -> list[str]:
    """What happened, one line per step (the real clock: the center checks request times)."""
    from secops.center import auto_incidents
    from secops.center.heartbeats import latest_checkins
    from secops.center.notices import issue_notice, notice_views
    from secops.center.open import open_center
    from secops.center.school_incidents import school_incidents
    from secops.center.schools import add_school
    from secops.center.server import serving
    from secops.center.signing_key import signing_key
    from secops.forward.sync import CenterClient, forward_once, load_target, save_key
    from secops.incident.audit import audit_key
    from secops.incident.model import Session, get_incident, transition
    from secops.protocol import envelope
    from secops.workspace import open_workspace_store

    lines: list[str] = []
    home = Path(tempfile.mkdtemp(prefix="secops-demo-center-"))
    ctx = open_center(home)
    center_log = logging.getLogger("secops.center")
    level = center_log.level
    center_log.setLevel(logging.ERROR)  # the server's own log lines would interleave with the demo's
    try:
        key = add_school(ctx.state, school_code, school_name, ctx.secret, datetime.now(UTC))
        with serving(ctx) as url:
            workspace = load_workspace(workspace_dir)
            save_key(workspace_dir, key)
            forward = ForwardConfig(center=url, center_key=envelope.public_text(signing_key(home)))
            save_config(workspace_dir, workspace.config.model_copy(update={"forward": forward}))
            workspace = load_workspace(workspace_dir)
            target = load_target(workspace)
            with open_workspace_store(workspace) as store, CenterClient(target) as client:
                first = forward_once(target, store, client)
                auto_incidents.tick(ctx)
                reported = school_incidents(ctx.state, datetime.now(UTC))
                checkin = latest_checkins(ctx.state).get(school_code)
                received = _(
                    "center {url}: {alerts} alerts, {incidents} school incident(s) with their clocks, check-in received"
                )
                missing = _(
                    "center {url}: {alerts} alerts, {incidents} school incident(s) with their clocks, no check-in"
                )
                summary = received if checkin else missing
                lines.append(summary.format(url=url, alerts=first.sent, incidents=len(reported)))
                progress(f"      {lines[-1]}")
                issued = issue_notice(
                    ctx.state,
                    home,
                    kind="vulnerability",
                    title="教务系统远程代码执行漏洞（演示）",
                    text="请于 60 小时内完成排查、修复并反馈整改情况。",
                    due=timedelta(hours=60),
                    schools=[school_code],
                    audience_text=school_code,
                    issued_by="demo",
                    issuer=CENTER_NAME,
                    now=datetime.now(UTC),
                )
                second = forward_once(target, store, client)
                lines.append(_("通报 {id} down to the school: {inbox}").format(id=issued.id, inbox=second.inbox))
                progress(f"      {lines[-1]}")
                import sqlalchemy as sa

                from secops.store.schema import forward_received

                with store.engine.connect() as conn:
                    incident_id = conn.execute(
                        sa.select(forward_received.c.incident_id).where(forward_received.c.id == issued.id)
                    ).scalar()
                if incident_id is not None:
                    session = Session(store, audit_key(workspace_dir, store), "值班员", datetime.now(UTC))
                    transition(session, int(incident_id), "acknowledged")
                    forward_once(target, store, client)
                    state = get_incident(store, int(incident_id)).state
                    [view] = notice_views(ctx.state, datetime.now(UTC), issued.id)
                    lines.append(
                        _("school incident #{id} {state}; the center sees: {status}").format(
                            id=incident_id, state=state, status=view.schools[0].status
                        )
                    )
                    progress(f"      {lines[-1]}")
    finally:
        center_log.setLevel(level)
        ctx.close()
    return lines
