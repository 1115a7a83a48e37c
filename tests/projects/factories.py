from datetime import date

import factory
from django.contrib.auth import get_user_model

from projects import services
from projects.models import Client, DeploymentModel, Project, Site


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.com")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    password = factory.PostGenerationMethodCall("set_password", "a-Strong-pass-42")

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class ClientFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Client

    name = factory.Sequence(lambda n: f"Client {n}")
    headcount = 2500
    countries = "Germany, France"
    industry = "Manufacturing"


class ProjectFactory(factory.django.DjangoModelFactory):
    """A project created the way the app creates one: role groups and a project manager."""

    class Meta:
        model = Project

    client = factory.SubFactory(ClientFactory)
    name = factory.Sequence(lambda n: f"Rollout {n}")
    key = factory.Sequence(lambda n: f"P{n:03d}")
    lms_product = "Moodle Workplace"
    deployment_model = DeploymentModel.SAAS
    start_date = date(2026, 9, 1)
    target_go_live = date(2027, 3, 1)
    currency = "EUR"

    @classmethod
    def _create(cls, model_class, *args, manager=None, **kwargs):
        manager = manager or UserFactory()
        return services.project_create(project=model_class(*args, **kwargs), by=manager)


class SiteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Site

    project = factory.SubFactory(ProjectFactory)
    name = factory.Sequence(lambda n: f"Site {n}")
