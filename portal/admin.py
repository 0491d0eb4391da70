from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from .models import User

admin.site.site_header = "Performance portal administration"
admin.site.site_title = "Performance portal"
admin.site.index_title = "Reports, KPIs and people"

admin.site.register(User, UserAdmin)
