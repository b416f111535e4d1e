"""gradlab: the tested engine behind *Gradients, Vanishing and Exploding*.

One module per idea; notebooks import what they need, e.g.::

    from gradlab import chains, explore, exercises
"""

__version__ = "0.1.0"
