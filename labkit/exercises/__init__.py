"""The "Your turn" exercises: the base (base.py) and one module per lesson."""
