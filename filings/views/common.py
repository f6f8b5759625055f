"""Helpers shared by the filings views: recording who read whose data, paginating, versions of cached tables."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from operator import attrgetter
from typing import Any, Generic, TypeVar

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from filings import permissions
from filings.models import Case, Filing
from justice.accounts.models import Organisation, User
from justice.audit.models import AccessEvent
from justice.audit.services import access_record


def _reader_role(
    user: User, *, filing: Filing | None = None, case: Case | None = None
) -> tuple[Organisation | None, str]:
    """On whose behalf and why ``user`` reads: shown to the person concerned in “Who accessed my data”."""
    scope = permissions.staff_scope(user)
    if filing is not None and permissions.can_review_filing(user, filing):
        return filing.recipient, str(_("Review of the filing"))
    court = case.court if case is not None else (filing.case.court if filing and filing.case else None)
    if court is not None and court.pk in scope.case_readers:
        return court, str(_("Handling of the case"))
    if scope.lawyer:
        return None, str(_("Representation of a client"))
    return None, str(_("Party to the same case"))


def record_filing_read(*, user: User, filing: Filing) -> None:
    """The person whose data a filing holds: its filer, or the client a lawyer filed for (the lawyer's own name is
    professional, not the subject of the filing)."""
    subjects = [filing.on_behalf_of or filing.filer]
    organisation, purpose = _reader_role(user, filing=filing)
    access_record(
        actor=user,
        subjects=subjects,
        action=AccessEvent.Action.VIEW,
        obj=filing,
        what=_("The content of %(filing)s") % {"filing": filing},
        purpose=purpose,
        organisation=organisation,
    )


def record_case_read(*, user: User, case: Case, people: Iterable[User]) -> None:
    organisation, purpose = _reader_role(user, case=case)
    access_record(
        actor=user,
        subjects=set(people),
        action=AccessEvent.Action.VIEW,
        obj=case,
        what=_("Your name and role in case %(reference)s") % {"reference": case.reference},
        purpose=purpose,
        organisation=organisation,
    )


def record_list_read(*, user: User, filings: Iterable[Any], organisation: Organisation) -> None:
    """A review queue shows who filed: one access event per person listed (read from the filings' ids of people,
    ``filer_id`` and ``on_behalf_of_id``, which need not be joined: filings or rows of their columns)."""
    people = {person for f in filings for person in (f.filer_id, f.on_behalf_of_id) if person is not None}
    if people:
        access_record(
            actor=user,
            subject_ids=sorted(people),
            action=AccessEvent.Action.VIEW,
            obj=organisation,
            what=_("Your name, as the person who filed, in the list of filings received"),
            purpose=_("Review of the filings received"),
            organisation=organisation,
        )


# Tables of rows are cached as rendered HTML under a key made of what their rows show (see rows_version): a page
# asks the database for its rows every time, and renders them again only when one of them changed.
TABLE_CACHE_SECONDS = 600

T = TypeVar("T")


class RowsOnDemand(Generic[T]):
    """The rows of a cached table, fetched only if the table is rendered (when its cache has no copy for the current
    version): the view reads just the columns the version is made of, without joins (``listed``), and the full rows
    (from the queryset ``full()`` builds, with what they join, restricted to those listed, each made a table row by
    ``row``) wait for a miss; so does building their queryset, which costs about half a millisecond. Its truth value
    is known from the listed rows, so ``{% if rows %}`` fetches nothing."""

    def __init__(
        self,
        full: Callable[[], QuerySet[Any]],
        listed: Sequence[Any],
        row: Callable[[Any], T] = lambda found: found,
    ) -> None:
        self._full = full
        self._listed = listed
        self._row = row

    @cached_property
    def rows(self) -> list[T]:
        return [self._row(found) for found in self._full().filter(pk__in=[listed.pk for listed in self._listed])]

    def __bool__(self) -> bool:
        return bool(self._listed)

    def __iter__(self) -> Iterator[T]:
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)

    def __getitem__(self, index: int) -> T:
        return self.rows[index]


def fingerprint(*shown: object) -> str:
    """A digest of the values a cached part of a page shows, for its key: it changes with any of them."""
    return hashlib.blake2b(repr(shown).encode(), digest_size=16).hexdigest()


def rows_version(rows: Iterable[Any], *attributes: str) -> str:
    """A fingerprint of the ``attributes`` of ``rows``, for the key of a cached table: it changes with any of them."""
    shown = attrgetter(*attributes)
    return fingerprint(*(shown(row) for row in rows))


class CountedPaginator(Paginator):
    """A paginator told its count (from grouped counts, or from the rows), so it does not run a COUNT of its own."""

    def __init__(self, object_list: object, per_page: int, *, count: int) -> None:
        super().__init__(object_list, per_page)  # type: ignore[arg-type]
        self._known_count = count

    @cached_property
    def count(self) -> int:
        return self._known_count


def page_of(
    rows: QuerySet[Any] | Callable[[], QuerySet[Any]],
    number: str | None,
    per_page: int,
    *,
    first_rows: Callable[[int], Iterable[Any]] | None = None,
    count: int | None = None,
) -> Page[Any]:
    """``Paginator(rows, per_page).get_page(number)``, without its COUNT query: ``count`` is the number of rows when
    it is known (from grouped counts); otherwise, when the first page holds all the rows (as for most people), that
    page's query asks for one row more than a page, which tells whether there is more, and a longer list is counted,
    as by ``Paginator``. Other pages are left to ``Paginator``. ``first_rows(n)``, when given, reads the first ``n``
    rows instead of slicing ``rows`` (the same rows, from a ``reused`` query). ``rows`` may be given as a function
    building the queryset, called only if the rows are read from it."""

    def queryset() -> QuerySet[Any]:
        return rows if isinstance(rows, QuerySet) else rows()

    def first(size: int) -> list[Any]:
        return list(first_rows(size) if first_rows is not None else queryset()[:size])

    if number not in (None, "", "1"):
        if count is not None:
            return CountedPaginator(queryset(), per_page, count=count).get_page(number)
        return Paginator(queryset(), per_page).get_page(number)
    if count is not None:
        listed = first(per_page)
        return Page(listed, 1, CountedPaginator(listed, per_page, count=count))
    listed = first(per_page + 1)
    if len(listed) <= per_page:
        return Page(listed, 1, CountedPaginator(listed, per_page, count=len(listed)))
    return Page(listed[:per_page], 1, Paginator(queryset(), per_page))
