import factory

from stakeholders import services
from stakeholders.models import Department, Side, Stakeholder


class StakeholderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Stakeholder

    name = factory.Faker("name")
    email = factory.Sequence(lambda n: f"stakeholder{n}@client.example")
    side = Side.CLIENT
    department = Department.LD

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return services.stakeholder_save(stakeholder=model_class(*args, **kwargs), by=None)


def accountable(project, user, area: str, *, name: str, by) -> Stakeholder:
    """`user`, as a stakeholder of `project` named `name`, the accountable owner of `area`."""
    stakeholder = services.stakeholder_save(
        stakeholder=Stakeholder(
            project=project, name=name, email=user.email, department=Department.LD, user=user
        ),
        by=by,
    )
    services.assignment_set(
        project=project, stakeholder=stakeholder, area=area, site_id=None, letter="A", by=by
    )
    return stakeholder
