"""What the playbooks app announces, for the apps above it to react to (see :mod:`ringback.reactions`)."""

from __future__ import annotations

from django.dispatch import Signal

#: A contact is about to be enrolled (``account=``, ``contact=``, ``at=``): a receiver that knows
#: a reason not to (an appointment coming) raises a :class:`~ringback.core.errors.RingbackError`,
#: which refuses the enrollment. Not sent when the seller said to start anyway.
enrollment_starting = Signal()
