"""Reading logs in a second process while this one matches.

Parsing and flattening EVTX records is Python work, half of a run over a folder of small files;
threads would take turns on the GIL, so the batches are read by a forked process and sent over a
pipe while the engine matches the previous ones. The pipe's backpressure keeps at most about two
batches in flight, so memory stays flat; batches arrive in the order they were read, so matches
come out exactly as a single process gives them. What the readers count (``ReadStats``, the
incremental reader's bookmarks and notes) is sent back at the end and merged into the caller's
objects. Used only where forking is safe and worth it: more than one CPU, the ``fork`` start
method, no other thread running (the scheduler's daemon reads in-process).
"""

from __future__ import annotations

import contextlib
import logging
import os
import pickle
import signal
import threading
from collections.abc import Callable, Iterator
from typing import Any, Generic, TypeVar

from secops.detection.events import EventBatch, share_values
from secops.errors import SecopsError
from secops.i18n import _

State = TypeVar("State")
log = logging.getLogger(__name__)


def usable() -> bool:
    """Whether a read-ahead process can run here: several CPUs, fork, and no thread to break."""
    import multiprocessing

    try:
        cpus = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cpus = os.cpu_count() or 1
    return (
        cpus > 1
        and "fork" in multiprocessing.get_all_start_methods()
        and threading.active_count() == 1
        and os.environ.get("SECOPS_READ_AHEAD", "1") != "0"
    )


class ReadAhead(Generic[State]):
    """``batches()`` run in a child process; iterate for its batches, then ``merge(finish())``
    has been applied here. Use as a context manager: leaving it stops the child."""

    def __init__(
        self,
        batches: Callable[[], Iterator[EventBatch]],
        finish: Callable[[], State],
        merge: Callable[[State], None],
    ) -> None:
        import multiprocessing

        context = multiprocessing.get_context("fork")
        self._receive, send = context.Pipe(duplex=False)
        self._merge = merge
        self._process = context.Process(target=_child, args=(send, batches, finish), daemon=True)
        self._process.start()
        send.close()  # the child holds the sending end: its exit is our end of file

    def __enter__(self) -> ReadAhead[State]:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def __iter__(self) -> Iterator[EventBatch]:
        while True:
            try:
                kind, payload = self._receive.recv()
            except (EOFError, OSError) as error:
                self._process.join(5)
                raise SecopsError(
                    _("reading the logs stopped: the reading process ended (exit code {code})").format(
                        code=self._process.exitcode
                    ),
                    hint=_("run again; if it repeats, set SECOPS_READ_AHEAD=0 to read in one process"),
                ) from error
            except (pickle.UnpicklingError, TypeError, AttributeError) as error:  # an error that does not rebuild
                raise SecopsError(_("reading the logs failed in the reading process (-v shows why)")) from error
            if kind == "batch":
                yield payload
            elif kind == "end":
                self._merge(payload)
                return
            else:
                raise payload

    def close(self) -> None:
        process = self._process
        if process.is_alive():
            process.terminate()
        process.join(5)
        self._receive.close()


def _child(send: Any, batches: Callable[[], Iterator[EventBatch]], finish: Callable[[], Any]) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle; it stops us
    try:
        for batch in batches():
            send.send(("batch", share_values(batch)))
        send.send(("end", finish()))
    except (BrokenPipeError, ConnectionResetError):
        return  # the parent stopped listening (an error, Ctrl-C): nothing left to do
    except BaseException as error:  # handed to the parent, which raises it as it would have
        log.debug("reading failed in the read-ahead process", exc_info=error)
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            try:
                send.send(("error", error))
            except (pickle.PicklingError, TypeError, AttributeError):
                failed = _("reading the logs failed ({kind})").format(kind=type(error).__name__)
                send.send(("error", SecopsError(failed)))
    finally:
        send.close()
