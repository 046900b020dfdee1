"""Indicators of the region: the map's outlines and classes (geo), the open figures' disclosure control."""
