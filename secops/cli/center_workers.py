"""`secops center serve --workers N`: what each worker process runs.

uvicorn starts the workers as fresh Python processes (spawn), so the command's options reach them
through one environment variable (``WORKER_SPEC``, JSON) and each builds its own center: its own
database pool, alert-store client and housekeeping thread. What must be one for all of them (nonces,
rate limits, login throttles, the housekeeping and relay leases) is in the center database.
"""

from __future__ import annotations

import json
import logging
import os
import signal
import sys
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from fastapi import FastAPI

    from secops.center.context import CenterContext

WORKER_SPEC = "SECOPS_CENTER_WORKER_SPEC"
APP_FACTORY = f"{__name__}:app_from_spec"


@dataclass(frozen=True)
class WorkerSpec:
    home: str
    db: str | None = None
    store_url: str | None = None
    es_url: str | None = None
    es_prefix: str = "secops-alerts"
    trusted_proxies: list[str] = field(default_factory=list)
    console_level: int = logging.WARNING
    log_file: str | None = None
    file_level: int = logging.INFO
    metrics_dir: str | None = None  # where the workers publish their counts for GET /metrics
    supervisor: int | None = None  # the pid of `center serve`, whose death ends every worker

    def to_env(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def from_env(cls) -> WorkerSpec:
        raw = os.environ.get(WORKER_SPEC)
        if not raw:
            raise RuntimeError(f"{WORKER_SPEC} is not set: this factory runs in `secops center serve --workers` only")
        data: dict[str, Any] = json.loads(raw)
        return cls(**data)


def logging_of_this_process(home: Path, **options: Any) -> WorkerSpec:
    """A spec carrying the console level and --log-file of the command's own logging set-up."""
    root = logging.getLogger()
    console_level, log_file, file_level = logging.WARNING, None, logging.INFO
    for handler in root.handlers:
        if isinstance(handler, logging.FileHandler):
            log_file, file_level = handler.baseFilename, handler.level or logging.INFO
        elif isinstance(handler, logging.StreamHandler):
            console_level = handler.level or root.level
    return WorkerSpec(home=str(home), console_level=console_level, log_file=log_file, file_level=file_level, **options)


def _configure_logging(spec: WorkerSpec) -> None:
    root = logging.getLogger()
    console = logging.StreamHandler()
    console.setLevel(spec.console_level)
    console.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    handlers: list[logging.Handler] = [console]
    if spec.log_file:
        file_handler = logging.FileHandler(spec.log_file, encoding="utf-8")
        file_handler.setLevel(spec.file_level)
        file_handler.setFormatter(logging.Formatter("%(asctime)s %(process)d %(levelname)s %(name)s: %(message)s"))
        handlers.append(file_handler)
    for handler in handlers:
        root.addHandler(handler)
    root.setLevel(min(handler.level for handler in handlers))


def relay_of(ctx: CenterContext) -> tuple[Callable[[], str], float] | None:
    """A lower center's relay to the center above (center.yaml ``upstream:``), or None."""
    from secops.relay.config import load_upstream
    from secops.relay.run import relay_once

    upstream = load_upstream(ctx.home)
    if upstream is None:
        return None
    settings, upstream_key = upstream
    return (lambda: relay_once(ctx, settings, upstream_key).text()), float(settings.interval_seconds)


def with_trusted_proxies(ctx: CenterContext, extra: list[str]) -> None:
    known = ctx.settings.trusted_proxies
    if extra:
        ctx.settings = ctx.settings.model_copy(
            update={"trusted_proxies": [*known, *(p for p in extra if p not in known)]}
        )


def _die_with(supervisor: int | None) -> None:
    """A worker outliving a supervisor killed with -9 would go on serving the port, orphaned, and a
    restarted center could not bind it: ask Linux for SIGTERM when the parent dies (prctl
    PR_SET_PDEATHSIG; uvicorn then stops gracefully), and stop at once if it has died already."""
    if supervisor is None or not sys.platform.startswith("linux"):
        return
    import ctypes

    pr_set_pdeathsig = 1
    ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGTERM)
    if os.getppid() != supervisor:
        os.kill(os.getpid(), signal.SIGTERM)


def app_from_spec() -> FastAPI:
    """uvicorn's app factory in each worker process."""
    from secops.center.app import create_app
    from secops.center.open import open_center
    from secops.center.server import use_header_timeout

    spec = WorkerSpec.from_env()
    _die_with(spec.supervisor)
    _configure_logging(spec)
    ctx = open_center(
        Path(spec.home), db=spec.db, store_url=spec.store_url, es_url=spec.es_url, es_prefix=spec.es_prefix, server=True
    )
    ctx.several_processes = True
    with_trusted_proxies(ctx, spec.trusted_proxies)
    use_header_timeout(ctx.settings)
    metrics_dir = Path(spec.metrics_dir) if spec.metrics_dir else None
    relay = relay_of(ctx)
    if relay is None:
        return create_app(ctx, metrics_dir=metrics_dir)
    return create_app(ctx, relay=relay[0], relay_every=relay[1], metrics_dir=metrics_dir)
