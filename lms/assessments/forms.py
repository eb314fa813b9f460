"""Forms: questions, tests, grading, surveys."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    DecimalField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from lms.assessments.models import ASSESSMENT_KIND_LABELS, QUESTION_KIND_LABELS
from lms.events.forms import BAD_DATETIME, DATETIME_LOCAL_FORMATS, REQUIRED, select_choices


class QuestionForm(FlaskForm):
    kind = SelectField(_l("Jenis soal"), choices=select_choices((k.value, v) for k, v in QUESTION_KIND_LABELS.items()))
    text = TextAreaField(_l("Pertanyaan"), validators=[DataRequired(message=REQUIRED), Length(max=5000)])
    points = IntegerField(
        _l("Bobot (poin)"), default=1, validators=[InputRequired(message=REQUIRED), NumberRange(1, 100)]
    )
    options = TextAreaField(
        _l("Pilihan jawaban"),
        validators=[Optional(), Length(max=5000)],
        description=_l(
            "Satu pilihan per baris; awali jawaban yang benar dengan tanda *. Untuk Benar/Salah cukup "
            "pilih kunci di bawah."
        ),
        render_kw={"rows": 5},
    )
    true_false_answer = SelectField(
        _l("Kunci Benar/Salah"), default="true", choices=select_choices([("true", _l("Benar")), ("false", _l("Salah"))])
    )
    answer_key = TextAreaField(
        _l("Kunci isian singkat (hanya untuk penilai)"), validators=[Optional(), Length(max=2000)]
    )


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class AssessmentForm(FlaskForm):
    kind = SelectField(_l("Jenis tes"), choices=select_choices((k.value, v) for k, v in ASSESSMENT_KIND_LABELS.items()))
    title = StringField(_l("Judul"), validators=[DataRequired(message=REQUIRED), Length(max=200)])
    opens_at = DateTimeLocalField(
        _l("Dibuka mulai"), validators=[Optional()], format=DATETIME_LOCAL_FORMATS, invalid_value_message=BAD_DATETIME
    )
    closes_at = DateTimeLocalField(
        _l("Ditutup pada"), validators=[Optional()], format=DATETIME_LOCAL_FORMATS, invalid_value_message=BAD_DATETIME
    )
    time_limit_minutes = IntegerField(
        _l("Batas waktu (menit)"),
        validators=[Optional(), NumberRange(1, 600)],
        description=_l("Kosongkan bila tanpa batas."),
    )
    max_attempts = IntegerField(
        _l("Jumlah percobaan"), default=1, validators=[InputRequired(message=REQUIRED), NumberRange(1, 20)]
    )
    passing_grade = DecimalField(
        _l("Nilai lulus (0-100)"),
        default=70,
        places=2,
        validators=[InputRequired(message=REQUIRED), NumberRange(0, 100)],
    )
    shuffle_questions = BooleanField(_l("Acak urutan soal"))
    shuffle_options = BooleanField(_l("Acak urutan pilihan jawaban"))
    one_per_page = BooleanField(_l("Tampilkan satu soal per halaman"))
    show_review = BooleanField(_l("Peserta boleh melihat pembahasan (kunci) setelah selesai"))
    question_ids = MultiCheckboxField(_l("Soal"), coerce=int, validate_choice=False)


class GradeForm(FlaskForm):
    points = DecimalField(_l("Nilai"), places=2, validators=[InputRequired(message=REQUIRED), NumberRange(min=0)])


class SurveyForm(FlaskForm):
    speaker = SelectField(_l("Sasaran evaluasi"), validate_choice=False)
    title = StringField(_l("Judul"), validators=[DataRequired(message=REQUIRED), Length(max=200)])


class SurveyEditForm(FlaskForm):
    title = StringField(_l("Judul"), validators=[DataRequired(message=REQUIRED), Length(max=200)])
    items = TextAreaField(
        _l("Unsur penilaian"),
        validators=[DataRequired(message=REQUIRED), Length(max=10000)],
        description=_l("Satu unsur per baris; dinilai peserta dengan skala 1-4."),
        render_kw={"rows": 10},
    )
    is_open = BooleanField(_l("Dibuka untuk diisi"))
