"""The forces of England and Wales (kpis/data/forces.csv) and their region and national peer
groups, as the load_forces command loads them. No organisation is made the home force."""

from django.db import migrations

from kpis.national.force_loading import load_forces


def forwards(apps, schema_editor):
    load_forces(apps.get_model("kpis", "Organisation"), apps.get_model("kpis", "PeerGroup"))


class Migration(migrations.Migration):
    dependencies = [
        ("kpis", "0008_national_mappings"),
    ]

    operations = [
        # Reversing leaves the forces in place: figures may already belong to them.
        migrations.RunPython(forwards, migrations.RunPython.noop),
    ]
