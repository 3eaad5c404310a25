"""What the contacts app announces, for the apps above it to react to (see :mod:`ringback.reactions`).

Each is sent inside the transaction of the change it announces.
"""

from __future__ import annotations

from django.dispatch import Signal

#: An import merged rows into contacts already saved (``account=``, ``at=``, ``notes=``: a list
#: of ``(contact id, text)`` saying what each merge added): each goes on that contact's timeline.
contacts_merged = Signal()
