"""The ownership map's rules and the off-channel rule, without a request or a database."""

from types import SimpleNamespace

import pytest

from projects.models import SizeBand
from stakeholders.models import Area, Department, EntryKind, Side, SpocStatus, spoc_status_for
from stakeholders.ownership import MapArea, area_states, map_areas, parse_area_key

PLATFORM = MapArea(Area.PLATFORM, None, "Platform overall")
BRAZIL = MapArea(Area.LOCAL_ROLLOUT, 7, "Local rollout: Brazil")


def person(name, department=Department.LD, site_id=None, active=True):
    return SimpleNamespace(name=name, department=department, site_id=site_id, is_active=active)


def letter(who, area: MapArea, value):
    return SimpleNamespace(stakeholder=who, area=area.area, site_id=area.site_id, letter=value)


def state_of(band, area, *assignments):
    (state,) = [s for s in area_states(band, [area], assignments) if s.area == area]
    return state


def test_an_area_with_nobody_accountable_is_a_gap():
    state = state_of(SizeBand.LARGE, PLATFORM, letter(person("Ann"), PLATFORM, "R"))
    assert state.problem == "Nobody is accountable for Platform overall."


def test_two_accountable_people_are_named_in_the_problem():
    state = state_of(
        SizeBand.LARGE,
        PLATFORM,
        letter(person("Ann"), PLATFORM, "A"),
        letter(person("Bob"), PLATFORM, "A"),
    )
    assert state.problem == (
        "2 people are accountable for Platform overall (Ann, Bob): only one can be."
    )


def test_exactly_one_accountable_is_no_problem():
    state = state_of(SizeBand.LARGE, PLATFORM, letter(person("Ann"), PLATFORM, "A"))
    assert state.problem == "" and state.accountable.name == "Ann"


def test_someone_who_left_counts_as_nobody():
    gone = person("Greta", active=False)
    state = state_of(SizeBand.LARGE, PLATFORM, letter(gone, PLATFORM, "A"))
    assert state.problem == "Nobody is accountable for Platform overall."
    both = state_of(
        SizeBand.LARGE,
        PLATFORM,
        letter(gone, PLATFORM, "A"),
        letter(person("Ann"), PLATFORM, "A"),
    )
    assert both.problem == "" and both.accountable.name == "Ann"


@pytest.mark.parametrize(
    ("band", "accountable", "advice_expected"),
    [
        # Large: a global L&D head owns the platform; a regional one does not.
        (SizeBand.LARGE, person("Global L&D", Department.LD), False),
        (SizeBand.LARGE, person("Regional L&D", Department.LD, site_id=3), True),
        (SizeBand.LARGE, person("HR head", Department.HR), True),
        # Mid-size: HR and L&D own it together, either may be accountable.
        (SizeBand.MID, person("HR head", Department.HR), False),
        (SizeBand.MID, person("L&D head", Department.LD), False),
        (SizeBand.MID, person("IT head", Department.IT), True),
        # Small: a functional department head.
        (SizeBand.SMALL, person("HR head", Department.HR), False),
        (SizeBand.SMALL, person("Managing director", Department.MANAGEMENT), False),
        (SizeBand.SMALL, person("IT head", Department.IT), True),
    ],
)
def test_platform_recommendation_per_size_band(band, accountable, advice_expected):
    state = state_of(band, PLATFORM, letter(accountable, PLATFORM, "A"))
    assert state.problem == ""
    assert bool(state.advice) is advice_expected


def test_large_clients_want_the_regional_ld_head_for_a_local_rollout():
    regional = person("Rafael", Department.LD, site_id=7)
    elsewhere = person("Marc", Department.LD, site_id=8)
    assert state_of(SizeBand.LARGE, BRAZIL, letter(regional, BRAZIL, "A")).advice == ""
    assert (
        "regional head of L&D"
        in state_of(SizeBand.LARGE, BRAZIL, letter(elsewhere, BRAZIL, "A")).advice
    )


def test_finance_approves_the_budget_in_every_band():
    budget = MapArea(Area.BUDGET, None, "Budget approval")
    for band in SizeBand:
        ok = state_of(band, budget, letter(person("CFO", Department.FINANCE), budget, "A"))
        off = state_of(band, budget, letter(person("HR", Department.HR), budget, "A"))
        assert (ok.advice, bool(off.advice)) == ("", True)


def test_every_site_gets_its_own_local_rollout_area():
    sites = [SimpleNamespace(pk=1, name="Germany"), SimpleNamespace(pk=2, name="Brazil")]
    keys = [area.key for area in map_areas(sites)]
    assert keys[-2:] == ["local_rollout-1", "local_rollout-2"]
    assert len(keys) == 9


@pytest.mark.parametrize("key", ["platform", "uat", "local_rollout-12"])
def test_area_keys_round_trip(key):
    area, site = parse_area_key(key)
    assert MapArea(area, site, "").key == key


@pytest.mark.parametrize("key", ["", "nonsense", "platform-3", "local_rollout", "local_rollout-x"])
def test_bad_area_keys_are_refused(key):
    with pytest.raises(ValueError):
        parse_area_key(key)


@pytest.mark.parametrize(
    ("kind", "side", "is_spoc", "expected"),
    [
        (EntryKind.INSTRUCTION, Side.CLIENT, True, SpocStatus.ON_CHANNEL),
        (EntryKind.REQUEST, Side.CLIENT, True, SpocStatus.ON_CHANNEL),
        (EntryKind.INSTRUCTION, Side.CLIENT, False, SpocStatus.WAITING),
        (EntryKind.REQUEST, Side.CLIENT, False, SpocStatus.WAITING),
        (EntryKind.QUESTION, Side.CLIENT, False, SpocStatus.ON_CHANNEL),
        (EntryKind.DECISION, Side.CLIENT, False, SpocStatus.ON_CHANNEL),
        (EntryKind.REQUEST, Side.VENDOR, False, SpocStatus.ON_CHANNEL),
        (EntryKind.INSTRUCTION, Side.VENDOR, False, SpocStatus.ON_CHANNEL),
    ],
)
def test_off_channel_rule(kind, side, is_spoc, expected):
    assert spoc_status_for(kind=kind, author_side=side, author_is_spoc=is_spoc) == expected
