"""Small helpers shared by every app's views."""

from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.http import Http404, HttpRequest

PAGE_SIZE = 25


def paginate(request: HttpRequest, items, per_page: int = PAGE_SIZE) -> Page:
    return Paginator(items, per_page).get_page(request.GET.get("page"))


def apply_errors(form, error: ValidationError) -> None:
    """Show a domain rule's refusal next to the field at fault, or above the form."""
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error)


def id_or_404(value) -> int:
    """An id from a query string or a form; anything that is not one is simply not found."""
    if isinstance(value, int) or (isinstance(value, str) and value.isdigit()):
        return int(value)
    raise Http404


def submitted(request: HttpRequest, form, save):
    """For a POST whose form is valid, call `save(form)` (a service) and return what it
    returns; a domain rule's refusal is shown on the form and gives None, as does a GET."""
    if request.method != "POST" or not form.is_valid():
        return None
    try:
        return save(form)
    except ValidationError as error:
        apply_errors(form, error)
        return None


def page_or_fragment(request: HttpRequest, template: str, fragment: str) -> str:
    """The page's template, or only its named partial when htmx swaps that part in place."""
    if request.htmx and not request.htmx.boosted:
        return f"{template}#{fragment}"
    return template
