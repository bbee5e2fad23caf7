"""The questionnaire: a pure flow (`flow`), unit picking (`units`), and the service."""
