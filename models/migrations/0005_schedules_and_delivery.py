from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from models.report_jobs import Priority, ReportFormat, ReportKind
from models.schedules import ReportPeriod
from tortoise.fields.base import OnDelete
from uuid import uuid4
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0004_attempt_limit')]

    initial = False

    operations = [
        ops.CreateModel(
            name='ReportSchedule',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('account', fields.ForeignKeyField('models.Account', source_field='account_id', db_constraint=True, to_field='id', related_name='report_schedules', on_delete=OnDelete.CASCADE)),
                ('name', fields.CharField(max_length=200)),
                ('kind', fields.CharEnumField(description='ORDERS: ORDERS\nSALES: SALES\nINVENTORY: INVENTORY\nCUSTOMERS: CUSTOMERS', enum_type=ReportKind, max_length=16)),
                ('format', fields.CharEnumField(description='CSV: CSV\nPDF: PDF', enum_type=ReportFormat, max_length=8)),
                ('priority', fields.CharEnumField(default=Priority.NORMAL, description='LOW: LOW\nNORMAL: NORMAL\nHIGH: HIGH\nURGENT: URGENT', enum_type=Priority, max_length=8)),
                ('title', fields.CharField(null=True, max_length=200)),
                ('cron', fields.CharField(max_length=200)),
                ('time_zone', fields.CharField(max_length=64)),
                ('period', fields.CharEnumField(null=True, description='PREVIOUS_DAY: PREVIOUS_DAY\nLAST_7_DAYS: LAST_7_DAYS\nPREVIOUS_WEEK: PREVIOUS_WEEK\nPREVIOUS_MONTH: PREVIOUS_MONTH\nMONTH_TO_DATE: MONTH_TO_DATE\nYEAR_TO_DATE: YEAR_TO_DATE', enum_type=ReportPeriod, max_length=16)),
                ('enabled', fields.BooleanField(default=True)),
                ('deliver_to', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('next_run_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('last_run_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'report_schedule', 'app': 'models', 'indexes': [Index(fields=['enabled', 'next_run_at']), Index(fields=['account_id', 'created_at'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ScheduleRun',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('schedule', fields.ForeignKeyField('models.ReportSchedule', source_field='schedule_id', db_constraint=True, to_field='id', related_name='runs', on_delete=OnDelete.CASCADE)),
                ('scheduled_for', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('job', fields.ForeignKeyField('models.ReportJob', source_field='job_id', null=True, db_constraint=True, to_field='id', related_name='schedule_runs', on_delete=OnDelete.SET_NULL)),
            ],
            options={'table': 'schedule_run', 'app': 'models', 'unique_together': (('schedule_id', 'scheduled_for'),), 'indexes': [Index(fields=['schedule_id', 'created_at'])], 'pk_attr': 'id', 'table_description': 'One occurrence run (or one "run now"). The unique key on (schedule, occurrence)'},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='Account',
            name='webhook_secret',
            field=fields.CharField(null=True, max_length=64),
        ),
        ops.AddField(
            model_name='ReportJob',
            name='deliveries',
            field=fields.JSONField(default=list, db_default=[], encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads),
        ),
        ops.AddField(
            model_name='ReportJob',
            name='delivery_due_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='ReportJob',
            name='run_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='ReportJob',
            name='schedule',
            field=fields.ForeignKeyField('models.ReportSchedule', source_field='schedule_id', null=True, db_constraint=True, to_field='id', related_name='jobs', on_delete=OnDelete.SET_NULL),
        ),
        ops.AddIndex(
            model_name='ReportJob',
            index=Index(fields=['status', 'run_after']),
        ),
        ops.AddIndex(
            model_name='ReportJob',
            index=Index(fields=['delivery_due_at']),
        ),
    ]
