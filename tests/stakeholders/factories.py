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
