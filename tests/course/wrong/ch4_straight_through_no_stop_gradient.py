# task: ch4-straight-through
# feedback: needs a stop_gradient
# A typical mistake: the stop-gradient missing, so z + (e - z) is e and no gradient reaches z.
def straight_through(z, e):
    return z + (e - z)
