"""The map (地图): grids from their polygons, cases by light, and picking a place at intake."""
