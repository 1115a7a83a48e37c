"""Every URL of the foundation × every persona: allowed, refused (403), or hidden (404)."""

import pytest
from django.urls import reverse

from projects.roles import Role
from tests.projects.factories import ClientFactory, SiteFactory

MEMBERS = ("pm", "team_member", "spoc", "stakeholder", "tester", "observer")
EVERYONE = (*MEMBERS, "staff", "outsider")


def expect(allowed, *, ok=200, refused=403, hidden=404, others=EVERYONE):
    """Expected status per persona: `allowed` get `ok`, other members `refused`, the outsider
    `hidden` for project pages; anonymous visitors are sent to sign in."""
    table = {name: (ok if name in allowed else refused) for name in others}
    table["outsider"] = ok if "outsider" in allowed else hidden
    table["anonymous"] = 302
    return table


PROJECT_VIEWERS = (*MEMBERS, "staff")
MANAGERS = ("pm", "staff")

# (url name, method, arguments, expected status per persona)
MATRIX = [
    ("projects:home", "get", "project", expect(PROJECT_VIEWERS)),
    ("projects:members", "get", "project", expect(PROJECT_VIEWERS)),
    ("projects:edit", "get", "project", expect(MANAGERS)),
    ("projects:edit", "post", "project", expect(MANAGERS, ok=302)),
    ("projects:history", "get", "project", expect(MANAGERS)),
    ("projects:site_add", "get", "project", expect(MANAGERS)),
    ("projects:site_add", "post", "project", expect(MANAGERS, ok=302)),
    ("projects:site_edit", "get", "site", expect(MANAGERS)),
    ("projects:site_archive", "post", "site", expect(MANAGERS, ok=302)),
    ("projects:member_add", "get", "project", expect(MANAGERS)),
    ("projects:member_add", "post", "project", expect(MANAGERS, ok=302)),
    ("projects:member_role", "post", "membership", expect(MANAGERS, ok=302)),
    ("projects:member_remove", "post", "membership", expect(MANAGERS, ok=302)),
    ("projects:list", "get", None, expect(EVERYONE)),
    ("projects:create", "get", None, expect(MANAGERS, hidden=403)),
    ("projects:client_list", "get", None, expect(("staff",), hidden=403)),
    ("projects:client_create", "get", None, expect(("staff",), hidden=403)),
    ("projects:client_edit", "get", "client", expect(("staff",), hidden=403)),
    ("projects:client_archive", "post", "client", expect(("staff",), ok=302, hidden=403)),
    ("projects:user_list", "get", None, expect(("staff",), hidden=403)),
    ("projects:user_create", "get", None, expect(("staff",), hidden=403)),
    ("projects:user_edit", "get", "user", expect(("staff",), hidden=403)),
    ("accounts:profile", "get", None, expect(EVERYONE)),
    ("accounts:password_change", "get", None, expect(EVERYONE)),
]

POST_DATA = {
    "projects:edit": {
        "name": "Renamed",
        "lms_product": "Moodle",
        "deployment_model": "saas",
        "start_date": "2026-09-01",
        "target_go_live": "2027-03-01",
        "currency": "EUR",
        "status": "active",
    },
    "projects:site_add": {"name": "Spain", "kind": "country"},
    "projects:member_add": {"email": "new.person@example.com", "role": Role.TESTER},
    "projects:member_role": {"role": Role.OBSERVER},
}


def _args(kind, project, user):
    if kind is None:
        return []
    if kind == "project":
        return [project.key]
    if kind == "site":
        return [project.key, SiteFactory(project=project).pk]
    if kind == "membership":
        membership = project.memberships.get(user=user)
        return [project.key, membership.pk]
    if kind == "client":
        return [ClientFactory().pk]
    if kind == "user":
        return [user.pk]
    raise AssertionError(kind)


CASES = [
    pytest.param(name, method, kind, who, status, id=f"{name}-{method}-{who}")
    for name, method, kind, table in MATRIX
    for who, status in table.items()
]


@pytest.mark.parametrize(("url_name", "method", "kind", "who", "status"), CASES)
def test_access(client, project, persona, url_name, method, kind, who, status):
    # The object acted on belongs to `project`: for memberships, a tester added for the test.
    target = persona("tester") if kind in ("membership", "user") else None
    url = reverse(url_name, args=_args(kind, project, target))
    user = persona(who)
    if user is not None:
        client.force_login(user)
    response = getattr(client, method)(url, POST_DATA.get(url_name, {}))
    assert response.status_code == status, response.content[:500]
    if status == 302 and who == "anonymous":
        assert response["Location"].startswith(reverse("accounts:login"))
    if status == 404:
        assert b"Page not found" in response.content
    if status == 403:
        assert "do this here" in response.content.decode()


def test_every_url_name_is_in_the_matrix():
    from django.urls import get_resolver

    names = {
        f"{namespace}:{name}"
        for namespace in ("projects",)
        for name in get_resolver().namespace_dict[namespace][1].reverse_dict
        if isinstance(name, str)
    }
    covered = {row[0] for row in MATRIX}
    assert names <= covered, f"URLs with no row in the access matrix: {sorted(names - covered)}"
