from .base_model import BaseModel
from .fragments import UserFields


class Login(BaseModel):
    login: "LoginLogin"


class LoginLogin(BaseModel):
    token: str
    user: "LoginLoginUser"


LoginLoginUser = UserFields
Login.model_rebuild()
LoginLogin.model_rebuild()
