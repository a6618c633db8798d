"""Curators' writes: parse, compute the change, validate the result, apply atomically."""
