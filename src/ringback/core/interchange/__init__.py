"""Contact files in and out: Google and Outlook CSV, vCard 3.0/4.0 and any other CSV.

No Django here: readers turn a byte stream into :class:`Card` records (or :class:`RowProblem`
for a row that cannot be read), writers turn cards into files. Normalising numbers, matching
existing contacts and saving is the contacts app's job.

Where things are:

- ``records``: the card records; ``cards``: :func:`~ringback.core.interchange.cards.open_cards`,
  any contact file read as cards, streamed; ``detect``: what a file is (vCard, which CSV);
- ``text``: a file's bytes as text (encoding, binary files, bounded lines); ``values``: what a
  name, a label or a birthday written in a file means;
- CSV files: ``csvcolumns`` (what each column holds, ``--map``), ``csvlines`` (the lines
  csv reads, bounded per row), ``csvcards`` (a row's cells into a card), ``csvfiles`` (the
  reader); vCard files: ``vcards``;
- ``writers``: Google CSV and vCard out; ``incoming`` and ``ahead``: cards made ready to import,
  in a second process while the first one saves.
"""

from ringback.core.interchange.records import (
    Birthday,
    Card,
    CardAddress,
    CardEmail,
    CardPhone,
    FileFormat,
    Notice,
    RowProblem,
)

__all__ = ["Birthday", "Card", "CardAddress", "CardEmail", "CardPhone", "FileFormat", "Notice", "RowProblem"]
