"""Inspectors' findings (明查暗访): recorded in chat, confirmed by evaluators, handed to units."""
