"""Query assertions for pages: none may run while a template renders.

Views hand templates evaluated data (lists, counts worked out beforehand); a lazy queryset or a
method that queries, reached from a template, is a query per row waiting to happen.
"""

from contextlib import contextmanager
from unittest import mock

from django.db import connection
from django.template.base import Template
from template_partials.templatetags.partials import TemplateProxy


@contextmanager
def no_queries_while_rendering():
    """Fail if any query runs while a template (or one of its partials) renders.

    Context processors run before rendering starts, so they are outside the guard. Every query
    caught is reported with the template that was rendering and its SQL."""
    caught: list[str] = []
    rendering: list[str] = []

    def refuse(execute, sql, params, many, context):
        caught.append(f"{rendering[-1]}: {sql}")
        return execute(sql, params, many, context)

    def guard(render):
        def guarded(self, context):
            rendering.append(getattr(self, "name", None) or str(self))
            try:
                if len(rendering) > 1:  # the outermost template already watches
                    return render(self, context)
                with connection.execute_wrapper(refuse):
                    return render(self, context)
            finally:
                rendering.pop()

        return guarded

    with (
        mock.patch.object(Template, "_render", guard(Template._render)),
        mock.patch.object(TemplateProxy, "_render", guard(TemplateProxy._render)),
    ):
        yield
    assert not caught, "Queries ran while a template rendered:\n" + "\n\n".join(caught)
