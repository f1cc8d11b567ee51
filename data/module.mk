# The bundled demo feeds, installed under $(pkgdatadir)/demo.
demodir = $(pkgdatadir)/demo
dist_demo_DATA = data/demo/world.xml data/demo/tech.rdf data/demo/korea.atom \
	data/demo/longreads.xml
