package routes

// NaturalKeys are the item parameters named by a field of the item, and
// that field (the walk in generic_test.go reads a created item's key there).
var NaturalKeys = naturalKeys
