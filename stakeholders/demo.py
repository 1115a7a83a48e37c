"""The demo's stakeholders, ownership map (with one deliberate gap), point-of-contact handover
and a channel history that includes a request waiting for the point of contact."""

from datetime import date, datetime, timedelta

from django.utils import timezone

from projects.models import Project

from . import services
from .models import Department as D
from .models import Entry, EntryKind, Side, Stakeholder

# name, e-mail, side, department, title, site (None: global), active
NWP_PEOPLE = [
    ("Sabine Keller", "spoc@northwind.example", Side.CLIENT, D.LD, "Global Head of L&D", None, True),
    ("Jürgen Bauer", "juergen@northwind.example", Side.CLIENT, D.HR, "HR Director Germany", "Germany", True),
    ("Marc Dubois", "stakeholder@northwind.example", Side.CLIENT, D.LD, "Regional L&D Lead France", "France", True),
    ("Ana Costa", "tester@northwind.example", Side.CLIENT, D.BUSINESS, "Sales Trainer", "Brazil", True),
    ("Helen Park", "observer@northwind.example", Side.CLIENT, D.MANAGEMENT, "Chief People Officer (sponsor)", None, True),
    ("Lukas Weber", "lukas.weber@northwind.example", Side.CLIENT, D.FINANCE, "Finance Controller", None, True),
    ("Camille Laurent", "camille.laurent@northwind.example", Side.CLIENT, D.MARKETING, "Internal Communications Manager", "France", True),
    ("Rafael Souza", "rafael.souza@northwind.example", Side.CLIENT, D.LD, "L&D Coordinator", "Brazil", True),
    ("Nadia Haddad", "nadia.haddad@northwind.example", Side.CLIENT, D.IT, "Head of IT Applications", None, True),
    ("Greta Schulz", "greta.schulz@northwind.example", Side.CLIENT, D.LD, "L&D Lead Germany (left in October)", "Germany", False),
    ("Priya Raman", "pm@liaison.example", Side.VENDOR, D.DELIVERY, "Project Manager", None, True),
    ("Tomás Oliveira", "team@liaison.example", Side.VENDOR, D.DELIVERY, "Implementation Consultant", None, True),
]  # fmt: skip

# area (or local_rollout:site), stakeholder name, letter. Brazil's local rollout has nobody
# accountable: the gap the demo shows.
NWP_MAP = [
    ("platform", "Sabine Keller", "A"), ("platform", "Jürgen Bauer", "C"),
    ("platform", "Helen Park", "I"), ("platform", "Priya Raman", "R"),
    ("budget", "Lukas Weber", "A"), ("budget", "Helen Park", "C"), ("budget", "Priya Raman", "I"),
    ("content", "Sabine Keller", "A"), ("content", "Marc Dubois", "R"),
    ("content", "Rafael Souza", "R"),
    ("configuration", "Sabine Keller", "A"), ("configuration", "Nadia Haddad", "R"),
    ("configuration", "Tomás Oliveira", "R"),
    ("integrations", "Nadia Haddad", "A"), ("integrations", "Tomás Oliveira", "R"),
    ("uat", "Sabine Keller", "A"), ("uat", "Ana Costa", "R"), ("uat", "Marc Dubois", "C"),
    ("communication", "Camille Laurent", "A"), ("communication", "Jürgen Bauer", "R"),
    ("local_rollout:Germany", "Jürgen Bauer", "A"), ("local_rollout:Germany", "Greta Schulz", "A"),
    ("local_rollout:France", "Marc Dubois", "A"), ("local_rollout:France", "Camille Laurent", "R"),
    ("local_rollout:Brazil", "Rafael Souza", "R"), ("local_rollout:Brazil", "Ana Costa", "C"),
]  # fmt: skip

# days after the project start, author e-mail, kind, subject, body
NWP_CHANNEL = [
    (2, "pm@liaison.example", EntryKind.MEETING_NOTE, "Kick-off workshop notes",
     "Attendees: Sabine, Jürgen, Helen, Priya, Tomás.\n\n- Germany goes first; France and "
     "Brazil follow a month apart.\n- **Single point of contact**: Jürgen Bauer until L&D "
     "takes over.\n- Open point: hosting term versus programme length (see RAID)."),
    (9, "juergen@northwind.example", EntryKind.INSTRUCTION, "Use single sign-on with Entra ID",
     "All staff sign in with their Northwind account. No local passwords on the platform."),
    (24, "pm@liaison.example", EntryKind.DECISION, "Go-live sequence: Germany, France, Brazil",
     "Agreed in the steering committee of 24 September: Germany on 1 March, France on 5 April, "
     "Brazil on 3 May."),
    (41, "spoc@northwind.example", EntryKind.REQUEST, "Compliance dashboard for regional heads",
     "Regional L&D heads need a dashboard of mandatory-training completion per country."),
    (49, "stakeholder@northwind.example", EntryKind.REQUEST, "French onboarding path before go-live",
     "The French works council expects the onboarding path in French on day one."),
    (65, "team@liaison.example", EntryKind.QUESTION, "Which HR field gives a learner's region?",
     "For automatic audiences we need one field. Is it *Country of assignment* or *Legal entity*?"),
    (66, "spoc@northwind.example", EntryKind.ANSWER, "Re: Which HR field gives a learner's region?",
     "Use *Country of assignment*; legal entity is wrong for expatriates."),
    (78, "stakeholder@northwind.example", EntryKind.INSTRUCTION,
     "Switch Brazil content to Portuguese voice-over",
     "Please replace the English voice-over in the Brazil sales modules with Portuguese."),
    (80, "pm@liaison.example", EntryKind.DECISION, "Hosting renewal decided for three years",
     "The managed hosting contract is renewed for 36 months from March 2027."),
]  # fmt: skip


def load(people) -> None:
    nwp = Project.objects.get(key="NWP")
    if nwp.stakeholders.exists():
        return
    pm = people["pm@liaison.example"]
    sites = {site.name: site for site in nwp.sites.all()}
    people_by_name = {}
    for name, email, side, department, title, site, active in NWP_PEOPLE:
        stakeholder = services.stakeholder_save(
            stakeholder=Stakeholder(
                project=nwp, name=name, email=email, side=side, department=department,
                title=title, site=sites.get(site), user=people.get(email) if active else None,
            ),
            by=pm,
        )  # fmt: skip
        people_by_name[name] = stakeholder
    for area, name, letter in NWP_MAP:
        area, _sep, site = area.partition(":")
        services.assignment_set(
            project=nwp, stakeholder=people_by_name[name], area=area,
            site_id=sites[site].pk if site else None, letter=letter, by=pm,
        )  # fmt: skip
    for name in [n for n, *_rest, active in NWP_PEOPLE if not active]:
        services.stakeholder_set_active(stakeholder=people_by_name[name], active=False, by=pm)

    start = nwp.start_date
    services.contact_hand_over(
        project=nwp, side=Side.VENDOR, stakeholder=people_by_name["Priya Raman"],
        started_on=start, reason="Project start", by=pm,
    )  # fmt: skip
    services.contact_hand_over(
        project=nwp, side=Side.CLIENT, stakeholder=people_by_name["Jürgen Bauer"],
        started_on=start, reason="Interim, until L&D takes the platform over", by=pm,
    )  # fmt: skip
    _channel(nwp, people, NWP_CHANNEL[:3])
    services.contact_hand_over(
        project=nwp, side=Side.CLIENT, stakeholder=people_by_name["Sabine Keller"],
        started_on=start + timedelta(days=30),
        reason="The global L&D head owns the platform from October", by=pm,
    )  # fmt: skip
    entries = _channel(nwp, people, NWP_CHANNEL[3:])
    french = next(e for e in entries if e.subject.startswith("French onboarding"))
    services.entry_spoc_decide(
        entry=french, by=people["spoc@northwind.example"], confirm=True,
        comment="Confirmed: French is required by law for onboarding in France.",
    )  # fmt: skip
    decision = next(e for e in entries if e.subject.startswith("Hosting renewal"))
    services.entry_post(
        project=nwp, author=pm, kind=EntryKind.DECISION, corrects=decision,
        subject="Correction: hosting renewal for five years, not three",
        body="The steering committee chose 60 months, to cover the programme until 2031.",
    )  # fmt: skip
    _brightwater(people)


def _channel(project, people, rows) -> list[Entry]:
    entries = []
    for days, email, kind, subject, body in rows:
        entry = services.entry_post(
            project=project, author=people[email], kind=kind, subject=subject, body=body
        )
        # Spread the history over the project's life so the channel reads like one.
        moment = timezone.make_aware(datetime.combine(project.start_date, datetime.min.time()))
        Entry.objects.filter(pk=entry.pk).update(created_at=moment + timedelta(days=days, hours=9))
        entries.append(entry)
    return entries


def _brightwater(people) -> None:
    bdg = Project.objects.get(key="BDG")
    pm = people["pm@liaison.example"]
    olivia = services.stakeholder_save(
        stakeholder=Stakeholder(
            project=bdg, name="Olivia Grant", email="spoc@brightwater.example",
            side=Side.CLIENT, department=D.HR, title="Practice Manager",
            user=people["spoc@brightwater.example"],
        ),
        by=pm,
    )  # fmt: skip
    services.contact_hand_over(
        project=bdg, side=Side.CLIENT, stakeholder=olivia, started_on=date(2026, 10, 12),
        reason="Project start", by=pm,
    )  # fmt: skip
