from pydantic import Field

from .base_model import BaseModel
from .fragments import UserFields


class Register(BaseModel):
    sign_up: "RegisterSignUp" = Field(alias="signUp")


class RegisterSignUp(BaseModel):
    token: str
    user: "RegisterSignUpUser"


RegisterSignUpUser = UserFields
Register.model_rebuild()
RegisterSignUp.model_rebuild()
