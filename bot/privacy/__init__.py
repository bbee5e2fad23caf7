"""Privacy a citizen can exercise: see what is held (/mydata), erase it (/forget), retention.

PIPL gives a person the rights to know, to copy and to delete; the appraisal
rules forbid retaliation against complainants.  The SQL lives in storage/privacy.py.
"""
