"""Where one app's change makes another app act: every such reaction, in one place.

A lower app never imports a higher one. When a change in a lower app must make a higher app act
(a new account gets the built-in playbooks; a vacation moves the steps planned inside it; an
import that merges into a saved contact leaves a note on its timeline), the lower app sends a
signal (its ``signals.py``) and the receiver here calls the higher app's service. Signals are
sent inside the change's transaction: a reaction that fails undoes the change.
"""
