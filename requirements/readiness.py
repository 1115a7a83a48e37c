"""Go-live readiness: a site (or the whole project) is ready when every Must requirement in its
scope is verified, no blocker or major feedback is open, and its go-live milestones are done.

`blockers` is the rule, a pure function of the rows it is given; `readiness` reads them."""

from dataclasses import dataclass

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from projects.models import Milestone, Site

from .models import BLOCKING, FEEDBACK_DONE, Feedback, Priority, Requirement, Status


def in_scope(site_id: int | None, site: Site | None) -> bool:
    """Whether something for `site_id` (None: every site) concerns `site` (None: the project)."""
    return site is None or site_id in (None, site.pk)


@dataclass(frozen=True)
class Blocker:
    kind: str  # "requirement", "feedback" or "milestone"
    label: str | Promise
    url: str


def blockers(*, site, musts, feedback, milestones, plan_url: str) -> list[Blocker]:
    """What holds `site` (None: the whole project) back from go-live.

    `musts` are Must requirements, `feedback` items with the site of their round, `milestones`
    the project's go-live milestones; each is filtered to the scope here."""
    found = [
        Blocker("requirement", _("%(key)s %(title)s is %(status)s, not verified.")
                % {"key": r.key, "title": r.title, "status": r.get_status_display().lower()},
                r.get_absolute_url())
        for r in musts
        if r.priority == Priority.MUST and r.status != Status.VERIFIED and in_scope(r.site_id, site)
    ]  # fmt: skip
    found += [
        Blocker("feedback", _("%(key)s %(title)s: %(severity)s feedback, %(status)s.")
                % {"key": f.key, "title": f.title, "severity": f.get_severity_display().lower(),
                   "status": f.get_status_display().lower()},
                f.get_absolute_url())
        for f in feedback
        if f.severity in BLOCKING and f.status not in FEEDBACK_DONE
        and in_scope(f.round.site_id, site)
    ]  # fmt: skip
    # A site's go-live is its own milestones; the project's is every go-live milestone.
    own = [m for m in milestones if m.is_go_live and (site is None or m.site_id == site.pk)]
    if not own:
        found.append(Blocker("milestone", _("No go-live milestone is planned."), plan_url))
    found += [
        Blocker("milestone", _("Milestone %(name)s is not done (forecast %(date)s).")
                % {"name": m.name, "date": m.forecast_date.isoformat()}, plan_url)
        for m in own
        if m.actual_date is None
    ]  # fmt: skip
    return found


@dataclass(frozen=True)
class Readiness:
    site: Site | None
    blockers: list[Blocker]

    @property
    def ready(self) -> bool:
        return not self.blockers


def readiness(project) -> list[Readiness]:
    """The whole project, then each active site: what blocks its go-live. A fixed number of
    queries whatever the number of sites and items."""
    musts = list(
        Requirement.objects.for_project(project)
        .musts()
        .select_related("project")
        .order_by("number")
    )
    feedback = list(
        Feedback.objects.for_project(project).open().blocking()
        .select_related("project", "round").order_by("number")
    )  # fmt: skip
    milestones = list(Milestone.objects.active().filter(project=project, is_go_live=True))
    plan_url = reverse("projects:plan", args=[project.key])
    sites = [None, *project.sites.active()]
    return [
        Readiness(site, blockers(site=site, musts=musts, feedback=feedback,
                                 milestones=milestones, plan_url=plan_url))
        for site in sites
    ]  # fmt: skip
