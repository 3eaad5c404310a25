"""Print-ready PDF of cards and address labels (R9, R14): plain dataclasses in, PDF bytes out.

No Django here (an import-linter contract forbids it): the ``post`` app gathers the day's cards
and addresses, this package lays them out with fpdf2 and the bundled open-licence fonts
(``fonts/``: Caveat for the handwritten note, Atkinson Hyperlegible for addresses).

- :mod:`ringback.printing.pieces`: what is printed (a card, its offer, a label);
- :mod:`ringback.printing.cards`: the card formats and :func:`~ringback.printing.cards.cards_pdf`;
- :mod:`ringback.printing.labels`: the label sheets and :func:`~ringback.printing.labels.labels_pdf`;
- :mod:`ringback.printing.fitting`: text that shrinks to fit, then wraps, else is refused.
"""
