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
