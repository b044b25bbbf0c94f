from marshmallow import ValidationError, validate

from parentapp.schemas import fields
from parentapp.schemas.base import BaseSchema, length
from parentapp.schemas.fields import LocalDateTime
from parentapp.services.accounts.users import MOBILE, mask_phone
from parentapp.services.stats.townships import township_codes

USERNAME = validate.Regexp(r"^[A-Za-z0-9_.-]{3,32}$",
                           error="用户名为 3 到 32 个字母、数字、下划线、点或短横线。")
PHONE = validate.Regexp(MOBILE, error="请输入 11 位中国大陆手机号。")


def validate_township(code):
    if code is not None and code not in township_codes():
        raise ValidationError("没有这个乡镇（街道）代码，请从 /meta 的 townships 中选择。")


class WechatLoginSchema(BaseSchema):
    code = fields.String(required=True, validate=length(1, 128))


class RegisterOperatorSchema(BaseSchema):
    username = fields.Text(required=True, validate=USERNAME)
    password = fields.String(required=True, validate=length(8, 128))
    phone = fields.Text(required=True, validate=PHONE)
    name = fields.Text(required=True, validate=length(1, 20))


class LoginSchema(BaseSchema):
    username = fields.Text(required=True, validate=length(1, 64))
    password = fields.String(required=True, validate=length(1, 128))


class PasswordChangeSchema(BaseSchema):
    old_password = fields.String(required=True, validate=length(1, 128))
    new_password = fields.String(required=True, validate=length(1, 128), metadata={
        "description": "at least 8 characters, different from old_password"})


class ParentBriefSchema(BaseSchema):
    id = fields.Integer(required=True)
    nickname = fields.String(allow_none=True)
    is_new = fields.Boolean(required=True)


class WechatLoginResultSchema(BaseSchema):
    token = fields.String(required=True)
    expires_in = fields.Integer(required=True)
    parent = fields.Nested(ParentBriefSchema, required=True)


class UserBriefSchema(BaseSchema):
    id = fields.Integer(required=True)
    role = fields.String(required=True)


class StaffTokenSchema(BaseSchema):
    token = fields.String(required=True)
    expires_in = fields.Integer()
    user = fields.Nested(UserBriefSchema, required=True)


class MeSchema(BaseSchema):
    id = fields.Integer(required=True)
    role = fields.String(required=True)
    nickname = fields.String(allow_none=True)
    township = fields.String(allow_none=True)
    username = fields.String(allow_none=True)
    name = fields.String(allow_none=True)
    phone = fields.Function(lambda user: mask_phone(user.phone), allow_none=True,
                            metadata={"description": "masked, e.g. 138****0000"})
    created_at = LocalDateTime()


class MeUpdateSchema(BaseSchema):
    nickname = fields.Text(allow_none=True, validate=length(1, 20))
    township = fields.String(allow_none=True, validate=validate_township)


class PhoneCodeSchema(BaseSchema):
    code = fields.String(required=True, validate=length(1, 128))


class PhoneResultSchema(BaseSchema):
    phone = fields.String(required=True)
