from django.db import migrations, models

from projects.markdown import excerpt


def cut_excerpts(apps, schema_editor):
    """Every entry's excerpt, from the sanitised HTML it already stores, a thousand at a time."""
    Entry = apps.get_model("stakeholders", "Entry")
    batch = []
    for entry in Entry.objects.only("pk", "body_html").iterator(chunk_size=1000):
        entry.excerpt_html = excerpt(entry.body_html)
        batch.append(entry)
        if len(batch) == 1000:
            Entry.objects.bulk_update(batch, ["excerpt_html"])
            batch = []
    Entry.objects.bulk_update(batch, ["excerpt_html"])


class Migration(migrations.Migration):
    dependencies = [
        ("stakeholders", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="entry",
            name="excerpt_html",
            field=models.TextField(blank=True, editable=False),
        ),
        migrations.RunPython(cut_excerpts, migrations.RunPython.noop, elidable=True),
    ]
