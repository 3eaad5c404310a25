"""What the accounts app announces, for the apps above it to react to (see :mod:`ringback.reactions`).

Each is sent inside the transaction of the change it announces, so a reaction that fails undoes
the change too.
"""

from __future__ import annotations

from django.dispatch import Signal

#: A new account exists (``account=``): it needs what every account starts with.
account_created = Signal()

#: A vacation was recorded (``account=``, ``vacation=``): what was planned inside it must move.
#: A receiver returns how many planned steps it moved.
vacation_added = Signal()
