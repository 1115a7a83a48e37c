"""Small helpers shared by every app's views."""

from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.db import IntegrityError, models, transaction
from django.db.models import Count, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _

from .models import Submission
from .versions import StaleEdit

PAGE_SIZE = 25


def paginate(request: HttpRequest, items, per_page: int = PAGE_SIZE) -> Page:
    """The requested page, its rows read here: the template gets a list, not a query.

    The page's rows carry the list's total from a COUNT subquery in the same statement (run
    once, on the indexes, before the rows are limited to the page), so a page costs one query
    instead of a COUNT and then the rows. A page past the end, or a list the subquery cannot
    count (DISTINCT or grouped), falls back to counting first."""
    paginator = Paginator(items, per_page)
    asked = request.GET.get("page") or "1"
    number = whole_number(asked)
    # Past the largest offset a database takes, the paginator's own fallback shows the last page.
    if _countable(items) and number is not None and number * per_page <= LARGEST_NUMBER:
        number = max(number, 1)
        start = (number - 1) * per_page
        rows = list(items.annotate(page_total=_total(items))[start : start + per_page])
        if rows:
            first = rows[0]
            paginator.count = first["page_total"] if isinstance(first, dict) else first.page_total
            return Page(rows, number, paginator)
    page = paginator.get_page(asked)
    page.object_list = list(page.object_list)
    return page


def _countable(items) -> bool:
    if not isinstance(items, QuerySet):
        return False
    query = items.query
    grouped = query.group_by is not None or any(
        getattr(annotation, "contains_aggregate", False)
        for annotation in query.annotations.values()
    )
    return not query.distinct and not grouped and not query.combinator


def _total(items) -> Subquery:
    counted = items.order_by().annotate(one=Value(1)).values("one")
    return Subquery(counted.annotate(n=Count("pk")).values("n"))


def in_project(project, rows, *links: str):
    """`rows` (a list or a page) read from `project`, pointed at it as already loaded, with the
    rows they link to by the foreign keys `links` (read with them by `select_related`): what a
    page shows of them through their project (a key, a link) then needs no join back to it.
    PostgreSQL took 8 to 18 ms to plan the query of a feedback item, a change request or a
    conflict that joined the project once more for each row it links to, and 1.4 to 5 ms
    without them. A linked row of another project (there should be none) keeps its own."""
    for row in rows:
        for target in (row, *(getattr(row, link) for link in links)):
            if target is not None and target.project_id == project.pk:
                target.project = project
    return rows


def related_count(rows: QuerySet, to: str) -> Coalesce:
    """How many of `rows` point (by their foreign key `to`) at each row of a list, as a
    subquery: a join and GROUP BY over the whole list would have to finish before a page's rows
    could be picked, and a prefetch reads every related row to count them."""
    counted = rows.filter(**{to: OuterRef("pk")}).order_by().values(to)
    return Coalesce(Subquery(counted.annotate(n=Count("pk")).values("n")), 0)


def apply_errors(form, error: ValidationError) -> None:
    """Show a domain rule's refusal next to the field at fault, or above the form."""
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error)


# The largest whole number a database's integer column holds (a signed 64-bit one).
LARGEST_NUMBER = 2**63 - 1


def whole_number(value) -> int | None:
    """`value` (an int, or text in ASCII digits) as a number a database holds, or None:
    `str.isdigit` also takes digits such as "²" and "١", which `int` refuses or reads."""
    if isinstance(value, str) and value.isascii() and value.isdigit():
        value = int(value)
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= LARGEST_NUMBER:
        return value
    return None


def id_or_404(value) -> int:
    """An id from a query string or a form; anything that is not one is simply not found."""
    if (number := whole_number(value)) is None:
        raise Http404
    return number


def submitted(request: HttpRequest, form, save):
    """For a POST whose form is valid, call `save(form)` (a service) and return what it
    returns; a domain rule's refusal is shown on the form and gives None, as does a GET.
    A create form is acted on once (`once`); an edit over a newer version is refused and the
    form shows theirs beside yours (`form.stale`)."""
    if request.method != "POST":
        return None
    if (first := _sent_before(request, form)) is not None:
        # Before the checks: sent again, a form whose first sending created a row with a
        # unique name would be refused as a duplicate of it.
        return first
    if not form.is_valid():
        return None
    try:
        return once(request, form, save)
    except StaleEdit as error:
        show_stale(form, error)
        return None
    except ValidationError as error:
        apply_errors(form, error)
        return None


def show_stale(form, error: StaleEdit) -> None:
    """The refusal above the form, the differences beside it (`includes/stale.html`), and the
    form now based on the saved version: sent again, it keeps this person's values."""
    form.stale = error
    form.data = form.data.copy()
    form.data[form.add_prefix("version")] = error.current.version
    form.add_error(None, error)


def _sent_before(request: HttpRequest, form):
    """What this person's earlier sending of the form's one-time token created, if any."""
    token = form.data.get(form.add_prefix("once")) if "once" in form.fields else None
    return _created_by(request, token) if token else None


def _created_by(request: HttpRequest, token: str):
    """What this person's sending of `token` created: None if there was none, or if it is
    still running or created no row."""
    first = Submission.objects.filter(token=token, user=request.user).first()
    return first.created if first else None


def once(request: HttpRequest, form, save):
    """Call `save(form)` once per one-time token of a `SentOnce` form, and return what it
    returns. The token is recorded in the action's own transaction under a unique constraint:
    a second request with it (a double click, a replay) waits for the first and gets what the
    first one created, without creating another row. A refused action records nothing, so the
    corrected form can be sent again."""
    token = form.cleaned_data.get("once") if "once" in form.fields else None
    if not token:
        return save(form)
    with transaction.atomic():
        try:
            with transaction.atomic():
                submission = Submission.objects.create(token=token, user=request.user)
        except IntegrityError:
            if (first := _created_by(request, token)) is None:
                raise ValidationError(
                    _("This form was already sent. Open it again to send something new.")
                ) from None
            return first
        result = save(form)
        if isinstance(result, models.Model):
            submission.created = result
            submission.save(update_fields=["content_type", "object_id"])
        return result


def is_fragment(request: HttpRequest) -> bool:
    """Whether htmx asks for a part of the page to swap in place, not the whole page (as it
    does when it boosts a link, or restores a page it went back to)."""
    htmx = request.htmx
    return bool(htmx and not htmx.boosted and not htmx.history_restore_request)


def page_or_fragment(request: HttpRequest, template: str, fragment: str) -> str:
    """The page's template, or only its named partial when htmx swaps that part in place."""
    if is_fragment(request):
        return f"{template}#{fragment}"
    return template


def read_choices(request: HttpRequest, form):
    """Read the options of the form's model choice fields now, once each, so that rendering
    the form runs no query. A fragment swapped in by htmx does not show the form: nothing is
    read for it. Returns the form."""
    if is_fragment(request):
        return form
    for field in form.fields.values():
        if getattr(field, "queryset", None) is not None:
            # The widget draws the options; the field still validates against its queryset.
            # Read as a plain list: Django's own iterator would read them through a server-side
            # cursor on PostgreSQL, three round trips for a few dozen rows.
            iterator = field.iterator(field)
            empty = [("", field.empty_label)] if field.empty_label is not None else []
            field.widget.choices = empty + [iterator.choice(row) for row in field.queryset]
    return form
