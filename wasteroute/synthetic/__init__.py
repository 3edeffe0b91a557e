"""Generated ("synthetic") inputs for running the planner offline.

Nothing in this package is real data. :mod:`wasteroute.synthetic.streets` writes a seeded,
generated OpenStreetMap XML street network for Kota Kupang inside the real kelurahan
boundaries (its steps in :mod:`.street_params`, :mod:`.city`, :mod:`.main_roads`,
:mod:`.fabric` and :mod:`.ways`); :mod:`wasteroute.synthetic.calibrate` measures it against real figures.
Real OpenStreetMap data always wins whenever it is available.
"""
