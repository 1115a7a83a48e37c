# Stored Markdown HTML aligned table cells with a style attribute, which the Content-Security-Policy
# refuses: rewrite it as the class that render_markdown now writes. One migration for both apps
# that store Markdown; it lives here because requirements already depends on stakeholders.
import re

from django.db import migrations

STYLE = re.compile(r'<(th|td) style="text-align:(left|center|right)">')
STORED_HTML = [("requirements", "Requirement", "description_html"), ("stakeholders", "Entry", "body_html")]


def forwards(apps, schema_editor):
    for app_label, model_name, field in STORED_HTML:
        model = apps.get_model(app_label, model_name)
        for pk, html in model.objects.filter(
            **{f"{field}__contains": 'style="text-align:'}
        ).values_list("pk", field):
            model.objects.filter(pk=pk).update(**{field: STYLE.sub(r'<\1 class="align-\2">', html)})


class Migration(migrations.Migration):
    dependencies = [
        ("requirements", "0002_test_rounds_and_feedback"),
        ("stakeholders", "0001_initial"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
