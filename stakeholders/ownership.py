"""The ownership map's rules: which areas there are, who should own them for the client's size
band, and what is missing or doubled. Plain functions of data, tested without a request."""

import functools
from dataclasses import dataclass, field

from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from projects.models import SizeBand
from projects.pages import whole_number

from .models import Area, Department, Raci


@dataclass(frozen=True)
class MapArea:
    area: str
    site_id: int | None
    label: str

    @functools.cached_property
    def key(self) -> str:
        """How a cell names its area in a form: "content", or "local_rollout-12"."""
        return f"{self.area}-{self.site_id}" if self.site_id else self.area


@functools.lru_cache(maxsize=32)
def _project_wide_areas(language: str | None) -> tuple[MapArea, ...]:
    # The nightly checks draw the map of every project: word the same areas once per language.
    return tuple(MapArea(a.value, None, str(a.label)) for a in Area if a != Area.LOCAL_ROLLOUT)


def map_areas(sites) -> list[MapArea]:
    areas = list(_project_wide_areas(get_language()))
    areas += [
        MapArea(Area.LOCAL_ROLLOUT, site.pk, _("Local rollout: %(site)s") % {"site": site.name})
        for site in sites
    ]
    return areas


def parse_area_key(key: str) -> tuple[str, int | None]:
    """The inverse of `MapArea.key`; raises ValueError on anything else."""
    area, _sep, site = key.partition("-")
    if area not in Area.values:
        raise ValueError(key)
    if area == Area.LOCAL_ROLLOUT:
        site_id = whole_number(site)
        # Written as `MapArea.key` writes it: "local_rollout-03" would name a cell of no map.
        if site_id is None or str(site_id) != site:
            raise ValueError(key)
        return area, site_id
    if site:
        raise ValueError(key)
    return area, None


@dataclass(frozen=True)
class Recommendation:
    departments: tuple[str, ...]
    text: str
    same_site: bool = False  # the accountable should belong to the site itself


_FINANCE = Recommendation(
    (Department.FINANCE,), gettext_lazy("The head of Finance approves the budget.")
)
_IT = Recommendation((Department.IT,), gettext_lazy("IT is accountable."))

RECOMMENDATIONS: dict[str, dict[str, Recommendation]] = {
    SizeBand.SMALL: {
        Area.PLATFORM: Recommendation(
            (Department.HR, Department.MANAGEMENT, Department.BUSINESS),
            gettext_lazy("A functional department head (often HR or general management)."),
        ),
        Area.BUDGET: _FINANCE,
        Area.CONTENT: Recommendation(
            (Department.BUSINESS, Department.HR, Department.LD),
            gettext_lazy("The head of the department whose people learn from the content."),
        ),
        Area.CONFIGURATION: _IT,
        Area.INTEGRATIONS: _IT,
        Area.UAT: Recommendation(
            (Department.BUSINESS, Department.HR),
            gettext_lazy("A department head whose people will use the platform."),
        ),
        Area.COMMUNICATION: Recommendation(
            (Department.HR, Department.MARKETING), gettext_lazy("The head of HR or Marketing.")
        ),
        Area.LOCAL_ROLLOUT: Recommendation(
            (Department.BUSINESS, Department.HR, Department.MANAGEMENT),
            gettext_lazy("The department head at that site."),
            same_site=True,
        ),
    },
    SizeBand.MID: {
        Area.PLATFORM: Recommendation(
            (Department.HR, Department.LD),
            gettext_lazy("HR and L&D own it together: one accountable, the other responsible."),
        ),
        Area.BUDGET: _FINANCE,
        Area.CONTENT: Recommendation((Department.LD,), gettext_lazy("The head of L&D.")),
        Area.CONFIGURATION: Recommendation(
            (Department.LD, Department.IT), gettext_lazy("L&D, with IT responsible.")
        ),
        Area.INTEGRATIONS: _IT,
        Area.UAT: Recommendation((Department.LD,), gettext_lazy("The head of L&D.")),
        Area.COMMUNICATION: Recommendation(
            (Department.HR, Department.MARKETING), gettext_lazy("HR, with Marketing responsible.")
        ),
        Area.LOCAL_ROLLOUT: Recommendation(
            (Department.HR, Department.LD),
            gettext_lazy("HR or L&D at that site."),
            same_site=True,
        ),
    },
    SizeBand.LARGE: {
        Area.PLATFORM: Recommendation(
            (Department.LD,), gettext_lazy("The global head of L&D (not a regional head).")
        ),
        Area.BUDGET: _FINANCE,
        Area.CONTENT: Recommendation((Department.LD,), gettext_lazy("The global head of L&D.")),
        Area.CONFIGURATION: Recommendation(
            (Department.LD, Department.IT), gettext_lazy("Global L&D, with IT responsible.")
        ),
        Area.INTEGRATIONS: _IT,
        Area.UAT: Recommendation((Department.LD,), gettext_lazy("L&D.")),
        Area.COMMUNICATION: Recommendation(
            (Department.HR, Department.MARKETING, Department.LD),
            gettext_lazy("Internal communication (HR or Marketing) with L&D."),
        ),
        Area.LOCAL_ROLLOUT: Recommendation(
            (Department.LD,),
            gettext_lazy("The regional head of L&D for that site."),
            same_site=True,
        ),
    },
}


def recommendation(band: str, area: str) -> Recommendation:
    return RECOMMENDATIONS[band][area]


@dataclass
class AreaState:
    """One area of the map: who holds which letter, and what is wrong with it."""

    area: MapArea
    recommended: Recommendation
    letters: dict[str, list] = field(default_factory=dict)  # letter -> active stakeholders
    problem: str = ""
    advice: str = ""

    @property
    def accountable(self):
        people = self.letters.get(Raci.ACCOUNTABLE, [])
        return people[0] if len(people) == 1 else None


def fits(recommended: Recommendation, stakeholder, site_id: int | None) -> bool:
    if stakeholder.department not in recommended.departments:
        return False
    if recommended.same_site and site_id is not None:
        return stakeholder.site_id == site_id
    if not recommended.same_site and recommended.departments == (Department.LD,):
        # "Global" heads: a regional head with a site is not the global owner.
        return stakeholder.site_id is None
    return True


def area_states(
    band: str, areas: list[MapArea], assignments, *, advise: bool = True
) -> list[AreaState]:
    """Judge each area. Exactly one active Accountable is the rule; inactive people count as
    nobody. Advice compares the accountable with the recommendation for the size band; the
    checks, which report problems only, ask for none (`advise=False`)."""
    states = {a.key: AreaState(a, recommendation(band, a.area)) for a in areas}
    for assignment in assignments:
        if not assignment.stakeholder.is_active:
            continue
        key = MapArea(assignment.area, assignment.site_id, "").key
        if key in states:
            states[key].letters.setdefault(assignment.letter, []).append(assignment.stakeholder)
    for state in states.values():
        accountable = state.letters.get(Raci.ACCOUNTABLE, [])
        label = state.area.label
        if not accountable:
            state.problem = _("Nobody is accountable for %(area)s.") % {"area": label}
        elif len(accountable) > 1:
            names = ", ".join(sorted(person.name for person in accountable))
            state.problem = _(
                "%(count)d people are accountable for %(area)s (%(names)s): only one can be."
            ) % {"count": len(accountable), "area": label, "names": names}
        elif advise and not fits(state.recommended, accountable[0], state.area.site_id):
            state.advice = _(
                "%(area)s: %(name)s is accountable. For a client of this size we would expect "
                "this: %(text)s"
            ) % {"area": label, "name": accountable[0].name, "text": state.recommended.text}
    return list(states.values())
