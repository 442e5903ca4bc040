from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0003_auth_sessions')]

    initial = False

    operations = [
        ops.AddField(
            model_name='ReportJob',
            name='attempt_limit',
            field=fields.IntField(null=True),
        ),
    ]
