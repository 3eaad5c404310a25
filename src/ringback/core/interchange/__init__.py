"""Contact files in and out: Google and Outlook CSV, vCard 3.0/4.0 and any other CSV.

No Django here: readers turn a byte stream into :class:`Card` records (or :class:`RowProblem`
for a row that cannot be read), writers turn cards into files. Normalising numbers, matching
existing contacts and saving is the contacts app's job.
"""

from ringback.core.interchange.records import (
    Birthday,
    Card,
    CardAddress,
    CardEmail,
    CardPhone,
    FileFormat,
    RowProblem,
)

__all__ = ["Birthday", "Card", "CardAddress", "CardEmail", "CardPhone", "FileFormat", "RowProblem"]
