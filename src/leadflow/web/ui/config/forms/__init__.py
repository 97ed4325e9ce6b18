"""The configuration screens' forms: what the browser sends, read back into the configuration
document or into problems named by field. `readers` reads the text fields every form has
(shifts, dates, lists, calendars) and holds `FieldProblems`; each `*_form` module is one
screen's form, and `stage_rows` the pipeline form's rows of stages and lost reasons."""
