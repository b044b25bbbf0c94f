"""Benefits a child's family is entitled to: the national childcare subsidy (育儿补贴)."""

from parentapp.api.blueprint import Blueprint
from parentapp.schemas.benefits import ChildcareSubsidySchema
from parentapp.security import auth_required, current_user
from parentapp.services.benefits import childcare_subsidy

blp = Blueprint("benefits", __name__, url_prefix="/api/v1/children",
                description="Childcare subsidy")


@blp.route("/<int:child_id>/childcare-subsidy")
@auth_required("parent")
@blp.response(200, ChildcareSubsidySchema)
def child_subsidy(child_id):
    """The months and yuan the subsidy pays for the child, by calendar year, and where to
    apply; every person of the child sees it."""
    return childcare_subsidy.child_subsidy(current_user().id, child_id,
                                           childcare_subsidy.subsidy_rule())
