"""Folded copies of text columns, the columns contact search compares and indexes.

A :class:`FoldedField` holds other fields of its row joined by a space and folded
(:func:`ringback.core.folding.fold`: no accents, no case), so "nunez" finds "Núñez" through an
ordinary trigram index on both databases while the names themselves stay as typed. It is never
edited; it is written from its sources:

- by every ``save()`` and ``create()`` and by ``bulk_create()`` (the field's ``pre_save``);
- by ``save(update_fields=...)`` naming a source, and the save of a row loaded with some fields
  deferred (:class:`FoldedModel`);
- by ``QuerySet.update()`` and ``bulk_update()`` setting a source (:class:`FoldedQuerySet`:
  the changed rows are folded again, in the same transaction).

Raw SQL that writes a source must write the folded column too (the importer does, with
:func:`folded`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, TypeVar

from django.db import models, transaction

from ringback.core.folding import fold

__all__ = ["FoldedField", "FoldedModel", "FoldedQuerySet", "folded"]

_M = TypeVar("_M", bound=models.Model)

#: Rows folded again per query after an ``update()`` that changed a source.
REFOLD_BATCH = 500


def folded(*values: str) -> str:
    """What a folded column holds for these source values (joined by a space, then folded)."""
    return fold(" ".join(values))


# Django's fields cannot be subscripted at run time; the stubs' TextField is generic.
class FoldedField(models.TextField):  # type: ignore[type-arg]
    """Other text fields of the row (``sources``), joined by a space and folded: what search
    compares. Written from the sources on every save; not editable."""

    #: What a folded column always is: filled by the code, blank when its sources are (and in
    #: rows inserted by code that does not know the column: a migration's model of an app before
    #: it, in a data migration).
    FIXED: dict[str, Any] = {"editable": False, "blank": True, "default": "", "db_default": ""}

    def __init__(self, *args: Any, sources: Sequence[str] = (), **kwargs: Any) -> None:
        self.sources = tuple(sources)
        super().__init__(*args, **(self.FIXED | kwargs))

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        for key, value in self.FIXED.items():
            if key in kwargs and kwargs[key] == value:
                del kwargs[key]
        return name, path, args, {**kwargs, "sources": list(self.sources)}

    def folded_from(self, instance: models.Model) -> str:
        """The value for ``instance``, from its sources."""
        return folded(*(str(getattr(instance, source) or "") for source in self.sources))

    def pre_save(self, model_instance: models.Model, add: bool) -> str:
        value = self.folded_from(model_instance)
        setattr(model_instance, self.attname, value)
        return value


def folded_fields(model: type[models.Model]) -> list[FoldedField]:
    """The model's folded columns."""
    return [f for f in model._meta.concrete_fields if isinstance(f, FoldedField)]


def _stale(model: type[models.Model], written: Iterable[str]) -> list[FoldedField]:
    """The folded columns a write of the fields ``written`` leaves stale (not written themselves,
    and fed by one of them)."""
    names = set(written)
    return [
        f
        for f in folded_fields(model)
        if f.name not in names and f.attname not in names and names.intersection(f.sources)
    ]


class FoldedQuerySet(models.QuerySet[_M]):
    """A query set whose ``update()`` (and so ``bulk_update()``) keeps folded columns right."""

    def update(self, **kwargs: Any) -> int:
        stale = _stale(self.model, kwargs)
        if not stale:
            return super().update(**kwargs)
        with transaction.atomic(using=self.db, savepoint=False):
            pks = list(self.order_by().values_list("pk", flat=True))
            count = super().update(**kwargs)
            refold(self.model, pks=pks, fields=stale, using=self.db)
        return count

    update.alters_data = True  # type: ignore[attr-defined]


def refold(
    model: type[models.Model], *, pks: Sequence[Any], fields: Sequence[FoldedField], using: str
) -> None:
    """Write the folded ``fields`` of the rows ``pks`` again from their sources."""
    sources = sorted({source for field in fields for source in field.sources})
    plain: models.QuerySet[models.Model] = models.QuerySet(model=model, using=using)
    for start in range(0, len(pks), REFOLD_BATCH):
        rows = list(plain.filter(pk__in=pks[start : start + REFOLD_BATCH]).only("pk", *sources))
        for row in rows:
            for field in fields:
                setattr(row, field.attname, field.folded_from(row))
        plain.bulk_update(rows, [field.name for field in fields])


class FoldedModel(models.Model):
    """A model with folded columns: a save of some fields writes the folded columns they feed."""

    class Meta:
        abstract = True

    def save_base(
        self,
        raw: bool = False,
        force_insert: bool | tuple[models.base.ModelBase, ...] = False,
        force_update: bool = False,
        using: str | None = None,
        update_fields: Iterable[str] | None = None,
    ) -> None:
        if update_fields is not None and not raw:
            named = frozenset(update_fields)
            update_fields = named | {f.name for f in _stale(type(self), named)}
        super().save_base(
            raw=raw,
            force_insert=force_insert,
            force_update=force_update,
            using=using,
            update_fields=update_fields,
        )
