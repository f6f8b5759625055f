from django.contrib import admin

from filings.models import Room


@admin.register(Room)
class RoomAdmin(admin.ModelAdmin[Room]):
    list_display = ("name", "court", "location", "capacity")
    list_filter = ("court",)
