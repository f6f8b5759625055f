from rest_framework.routers import SimpleRouter

from filings.api import views

router = SimpleRouter()
router.register("cases", views.CaseViewSet, basename="case")
router.register("filings", views.FilingViewSet, basename="filing")

urlpatterns = router.urls
