from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from models.orders import OrderStatus
from models.report_jobs import JobStatus, Priority, ReportFormat, ReportKind
from tortoise.fields.base import OnDelete
from uuid import uuid4
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    initial = True

    operations = [
        ops.CreateModel(
            name='Account',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('email', fields.CharField(unique=True, max_length=254)),
                ('password_hash', fields.CharField(max_length=255)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'account', 'app': 'models', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Order',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('account', fields.ForeignKeyField('models.Account', source_field='account_id', db_constraint=True, to_field='id', related_name='orders', on_delete=OnDelete.CASCADE)),
                ('customer_name', fields.CharField(max_length=200)),
                ('customer_email', fields.CharField(max_length=254)),
                ('status', fields.CharEnumField(default=OrderStatus.PENDING, description='PENDING: PENDING\nCOMPLETED: COMPLETED\nCANCELLED: CANCELLED', enum_type=OrderStatus, max_length=16)),
                ('total', fields.DecimalField(max_digits=14, decimal_places=2)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('completed_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'customer_order', 'app': 'models', 'indexes': [Index(fields=['account_id', 'created_at']), Index(fields=['account_id', 'status', 'completed_at'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Product',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('account', fields.ForeignKeyField('models.Account', source_field='account_id', db_constraint=True, to_field='id', related_name='products', on_delete=OnDelete.CASCADE)),
                ('sku', fields.CharField(max_length=64)),
                ('name', fields.CharField(max_length=200)),
                ('price', fields.DecimalField(max_digits=12, decimal_places=2)),
                ('stock', fields.IntField(default=0)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'product', 'app': 'models', 'unique_together': (('account_id', 'sku'),), 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='OrderItem',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('order', fields.ForeignKeyField('models.Order', source_field='order_id', db_constraint=True, to_field='id', related_name='items', on_delete=OnDelete.CASCADE)),
                ('product', fields.ForeignKeyField('models.Product', source_field='product_id', db_constraint=True, to_field='id', related_name='order_items', on_delete=OnDelete.RESTRICT)),
                ('quantity', fields.IntField()),
                ('unit_price', fields.DecimalField(max_digits=12, decimal_places=2)),
                ('line_total', fields.DecimalField(max_digits=14, decimal_places=2)),
            ],
            options={'table': 'order_item', 'app': 'models', 'indexes': [Index(fields=['order_id', 'id']), Index(fields=['product_id'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ReportJob',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('account', fields.ForeignKeyField('models.Account', source_field='account_id', db_constraint=True, to_field='id', related_name='report_jobs', on_delete=OnDelete.CASCADE)),
                ('kind', fields.CharEnumField(description='ORDERS: ORDERS\nSALES: SALES\nINVENTORY: INVENTORY\nCUSTOMERS: CUSTOMERS', enum_type=ReportKind, max_length=16)),
                ('format', fields.CharEnumField(description='CSV: CSV\nPDF: PDF', enum_type=ReportFormat, max_length=8)),
                ('title', fields.CharField(null=True, max_length=200)),
                ('date_from', fields.DateField(null=True)),
                ('date_to', fields.DateField(null=True)),
                ('status', fields.CharEnumField(default=JobStatus.PENDING, description='PENDING: PENDING\nRUNNING: RUNNING\nCOMPLETED: COMPLETED\nFAILED: FAILED\nCANCELLED: CANCELLED', enum_type=JobStatus, max_length=16)),
                ('progress', fields.SmallIntField(default=0)),
                ('message', fields.CharField(null=True, max_length=200)),
                ('priority', fields.CharEnumField(default=Priority.NORMAL, description='LOW: LOW\nNORMAL: NORMAL\nHIGH: HIGH\nURGENT: URGENT', enum_type=Priority, max_length=8)),
                ('attempts', fields.IntField(default=0)),
                ('error', fields.TextField(null=True, unique=False)),
                ('row_count', fields.BigIntField(null=True)),
                ('file_path', fields.CharField(null=True, max_length=500)),
                ('file_size', fields.BigIntField(null=True)),
                ('summary', fields.JSONField(null=True, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('version', fields.IntField(default=1)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('started_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('finished_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('updated_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'report_job', 'app': 'models', 'indexes': [Index(fields=['account_id', 'created_at']), Index(fields=['account_id', 'updated_at']), Index(fields=['status', 'created_at'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
    ]
