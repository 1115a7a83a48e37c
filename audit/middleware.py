from django.core.exceptions import PermissionDenied

from projects.models import Project

from . import services
from .models import Kind


class AuditMiddleware:
    """Make the request known to `services.record`, and record every refusal (403).

    A 403 is either a PermissionDenied raised by a view (its message says why) or a response
    given directly, such as a failed CSRF check. Not-found pages are not recorded: the one kind
    that is a refusal, a project hidden from someone, is recorded where it is decided
    (projects.access.project_for).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = services.current_request.set(request)
        try:
            response = self.get_response(request)
            if response.status_code == 403:
                _refused(request, response)
            return response
        finally:
            services.current_request.reset(token)

    def process_exception(self, request, exception):
        if isinstance(exception, PermissionDenied):
            request.audit_refusal = str(exception)


def _refused(request, response) -> None:
    match = request.resolver_match
    key = match.kwargs.get("key") if match else None
    project = Project.objects.filter(key=key).first() if key else None
    services.record(
        Kind.ACCESS_REFUSED,
        request=request,
        project=project,
        subject=getattr(request, "audit_refusal", "") or response.reason_phrase,
        detail={"status": 403, "method": request.method, "view": match.view_name if match else ""},
    )
