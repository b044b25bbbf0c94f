"""Parents browse filed nurseries: search near a point, and one nursery's page. No login needed."""

from parentapp import service_settings
from parentapp.api.blueprint import Blueprint
from parentapp.api.error_docs import answers
from parentapp.models import utcnow
from parentapp.schemas.nursery_search import (
    NurseryDetailQuerySchema,
    NurseryDetailSchema,
    NurserySearchPageSchema,
    NurserySearchQuerySchema,
)
from parentapp.security import viewer_id
from parentapp.services.nurseries import search

blp = Blueprint("nurseries", __name__, url_prefix="/api/v1/nurseries",
                description="Filed nurseries, for parents")


@blp.route("")
@answers("unauthorized", "not_found")
@blp.arguments(NurserySearchQuerySchema, location="query")
@blp.response(200, NurserySearchPageSchema)
def search_nurseries(query):
    """Approved nurseries, nearest first (by name without lat/lng)."""
    return search.search_nurseries(now=utcnow(), viewer_id=viewer_id(), **query,
                                   offer_minutes=service_settings.offer_minutes())


@blp.route("/<int:nursery_id>")
@answers("unauthorized")
@blp.arguments(NurseryDetailQuerySchema, location="query")
@blp.response(200, NurseryDetailSchema)
def get_nursery(query, nursery_id):
    """One approved nursery with its filing disclosure; any other is 404."""
    return search.get_public_nursery(nursery_id, now=utcnow(), **query,
                                     offer_minutes=service_settings.offer_minutes())
