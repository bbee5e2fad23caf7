"""Rectification (整改反馈): each unit's plan of measures for the problems raised, its
approval, its progress, the answer to the public's suggestions and the public's verdict."""
