from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0005_schedules_and_delivery')]

    initial = False

    operations = [
        ops.AddField(
            model_name='Account',
            name='pending_email',
            field=fields.CharField(null=True, db_index=True, max_length=254),
        ),
        ops.AddField(
            model_name='Account',
            name='sign_up_mailed_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
    ]
