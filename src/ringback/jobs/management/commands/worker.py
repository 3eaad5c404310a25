from typing import Any

from django.core.management.base import CommandParser
from rich.console import Console

from ringback.core.errors import InvalidInput
from ringback.interface.commands import RingbackCommand
from ringback.jobs.worker import worker_run


class Command(RingbackCommand):
    help = "Run background tasks as they fall due (--until-idle: run what is due now, then exit)."
    reads = True

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument(
            "--until-idle", action="store_true", help="run every task due now, then exit (for cron and tests)"
        )
        parser.add_argument(
            "--interval", type=float, default=1.0, help="seconds to wait when nothing is due (default 1)"
        )
        parser.add_argument(
            "--worker-id",
            default=None,
            help="this worker's name in the task rows (at most 64 characters; default: random)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        worker_id = options["worker_id"]
        if worker_id is not None and not 0 < len(worker_id) <= 64:
            raise InvalidInput("--worker-id takes 1 to 64 characters", field="worker_id")
        ran = worker_run(
            until_idle=options["until_idle"], interval=max(options["interval"], 0.1), worker_id=worker_id
        )
        self.emit(options, {"ran": ran}, lambda c: _done(c, ran))


def _done(console: Console, ran: int) -> None:
    console.print(f"Ran {ran} task{'s' if ran != 1 else ''}.")
