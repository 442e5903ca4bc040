from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0001_initial')]

    initial = False

    operations = [
        ops.AddField(
            model_name='ReportJob',
            name='expires_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='ReportJob',
            name='lease_expires_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='ReportJob',
            name='queued_version',
            field=fields.IntField(default=1),
        ),
        ops.AddField(
            model_name='ReportJob',
            name='run_after',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddIndex(
            model_name='ReportJob',
            index=Index(fields=['status', 'lease_expires_at']),
        ),
        ops.AddIndex(
            model_name='ReportJob',
            index=Index(fields=['status', 'expires_at']),
        ),
    ]
