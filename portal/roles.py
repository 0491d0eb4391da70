"""The three roles and what each may do.

Roles are Django groups so administrators can see and adjust them in the admin. A data
migration creates them on every database, and `post_migrate` keeps their permissions in
step as later migrations add models (see `PortalConfig.ready`).
"""

from django.apps import apps as global_apps
from django.contrib.auth.management import create_permissions

EDITORS = "Editors"
REVIEWERS = "Reviewers"
PANEL_MEMBERS = "Panel members"
ROLES = (EDITORS, REVIEWERS, PANEL_MEMBERS)

_VIEW = "view"
_ALL = ("add", "change", "delete", "view")

# app label -> model -> actions, per role. Custom permissions are listed by codename.
ROLE_PERMISSIONS: dict[str, dict[str, dict[str, tuple[str, ...]]]] = {
    EDITORS: {
        "kpis": {
            "kpi": _ALL,
            "observation": _ALL,
            "observationchange": (_VIEW,),
            "importbatch": (_VIEW,),
            "organisation": _ALL,
            "peergroup": _ALL,
            "population": _ALL,
            "nationalmapping": _ALL,
        },
        "glossary": {"term": _ALL},
        "reports": {
            "report": ("add", "change", "view", "submit_report", "start_revision"),
            "section": _ALL,
            "kpirow": _ALL,
            "paragraph": _ALL,
            "sourcenote": _ALL,
            "review": (_VIEW,),
            "publication": (_VIEW, "render_publication"),
            "feedback": ("view", "change"),
        },
    },
    REVIEWERS: {
        "kpis": {
            "kpi": (_VIEW,),
            "observation": (_VIEW,),
            "observationchange": (_VIEW,),
            "importbatch": (_VIEW,),
            "organisation": (_VIEW,),
            "peergroup": (_VIEW,),
            "population": (_VIEW,),
            "nationalmapping": (_VIEW,),
        },
        "glossary": {"term": (_VIEW,)},
        "reports": {
            "report": (_VIEW, "review_report", "withdraw_report", "read_restricted"),
            "section": (_VIEW,),
            "kpirow": (_VIEW,),
            "paragraph": (_VIEW,),
            "sourcenote": (_VIEW,),
            "review": (_VIEW,),
            "publication": (_VIEW, "render_publication"),
            "feedback": ("view", "change"),
        },
    },
    PANEL_MEMBERS: {
        "reports": {
            "report": ("read_restricted",),
            "feedback": ("add",),
        },
    },
}
# Editors read restricted reports too: they wrote them.
ROLE_PERMISSIONS[EDITORS]["reports"]["report"] += ("read_restricted",)


def _codename(action: str, model: str) -> str:
    return f"{action}_{model}" if action in _ALL else action


def sync_roles(apps=global_apps, using: str = "default") -> None:
    """Create the role groups and set their permissions exactly as ROLE_PERMISSIONS says."""
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    ContentType = apps.get_model("contenttypes", "ContentType")
    for app_config in apps.get_app_configs():
        # Permissions are normally created after migrate; in a migration they may not
        # exist yet. Historical app configs have no models module, so mark them.
        if apps is not global_apps:
            app_config.models_module = True
        create_permissions(app_config, verbosity=0, using=using, apps=apps)
    for role, by_app in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.using(using).get_or_create(name=role)
        wanted = []
        for app_label, models in by_app.items():
            for model, actions in models.items():
                try:
                    ct = ContentType.objects.using(using).get(app_label=app_label, model=model)
                except ContentType.DoesNotExist:
                    continue  # a model a later migration adds; post_migrate catches up
                for action in actions:
                    perm = (
                        Permission.objects.using(using)
                        .filter(content_type=ct, codename=_codename(action, model))
                        .first()
                    )
                    if perm:
                        wanted.append(perm)
        group.permissions.set(wanted)
