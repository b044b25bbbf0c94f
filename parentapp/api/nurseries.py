"""Parents browse filed nurseries: search near a point, and one nursery's page. No login needed."""

from flask import request

from parentapp import service_settings
from parentapp.api.blueprint import Blueprint
from parentapp.api.caching import NOT_MODIFIED_DOC, json_response, public_cache
from parentapp.api.error_docs import answers
from parentapp.models import utcnow
from parentapp.schemas.nursery_search import (
    NurseryDetailQuerySchema,
    NurseryDetailSchema,
    NurserySearchPageSchema,
    NurserySearchQuerySchema,
    nursery_detail,
    nursery_list_item,
)
from parentapp.security import viewer_id
from parentapp.services.common.transactions import reads_only
from parentapp.services.nurseries import search

blp = Blueprint("nurseries", __name__, url_prefix="/api/v1/nurseries",
                description="Filed nurseries, for parents")


def _asks_vacancy() -> bool:
    """has_vacancy may first expire due waitlist offers: a write, in a transaction."""
    return bool(request.args.get("care_type") and request.args.get("date"))


@blp.route("")
@public_cache(max_age=30, private_when=("child_id",))  # child_id: that parent's child
@reads_only(keep_transaction=_asks_vacancy)
@answers("unauthorized", "not_found")
@blp.arguments(NurserySearchQuerySchema, location="query")
@blp.response(200, NurserySearchPageSchema)
@blp.alt_response(304, description=NOT_MODIFIED_DOC)
def search_nurseries(query):
    """Approved nurseries, nearest first (by name without lat/lng).

    ETag and ``Cache-Control: public, max-age=30``; ``private, no-cache`` with a token or
    ``child_id``. ``If-None-Match`` with the current ETag gets a 304.
    """
    found = search.search_nurseries(now=utcnow(), viewer_id=viewer_id(), **query,
                                    offer_minutes=service_settings.offer_minutes())
    # The documented page schema, dumped by hand (same JSON): schemas.nursery_search.
    return json_response({**found, "items": [nursery_list_item(i) for i in found["items"]]})


@blp.route("/<int:nursery_id>")
@public_cache(max_age=30)
@reads_only(keep_transaction=_asks_vacancy)
@answers("unauthorized")
@blp.arguments(NurseryDetailQuerySchema, location="query")
@blp.response(200, NurseryDetailSchema)
@blp.alt_response(304, description=NOT_MODIFIED_DOC)
def get_nursery(query, nursery_id):
    """One approved nursery with its filing disclosure; any other is 404.

    ETag and ``Cache-Control: public, max-age=30`` (``private, no-cache`` with a token);
    ``If-None-Match`` with the current ETag gets a 304.
    """
    rows, distance, vacancy = search.public_nursery_rows(
        nursery_id, now=utcnow(), **query, offer_minutes=service_settings.offer_minutes())
    # The documented NurseryDetailSchema, dumped by hand (same JSON): see nursery_detail.
    return json_response(nursery_detail(rows, distance, vacancy))
