from django import template

from reports.worklist import waiting_for

register = template.Library()


@register.inclusion_tag("admin/reports/waiting_for_you.html")
def waiting_for_you(user):
    return {"work": waiting_for(user)}
