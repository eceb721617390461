"""``approxlab play``: a live playground in the browser (issue 16, seed 001).

A local FastAPI server (:mod:`approxlab.play.app`) trains one net per browser tab with
approxlab's own pieces (:func:`approxlab.fit.batch_step`, targets, units, regions,
constructions) and streams frames over a websocket to a single offline page
(``static/``, plotly.js from the plotly package). The page holds no maths; the server
holds none of its own either — it calls the library.
"""
