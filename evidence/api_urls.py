from rest_framework.routers import SimpleRouter

from evidence.api import TransmissionViewSet

router = SimpleRouter()
router.register("transmissions", TransmissionViewSet, basename="transmission")

urlpatterns = router.urls
