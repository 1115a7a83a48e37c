from django.utils.cache import patch_vary_headers


class VaryOnHtmxMiddleware:
    """A page answers htmx with a part of itself at the page's own URL (a filtered list, a
    board). Saying so in `Vary` keeps a browser going back to that URL from showing the cached
    part, unstyled, as the page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        patch_vary_headers(response, ("HX-Request",))
        return response
