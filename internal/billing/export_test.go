package billing

// RoundQuo exposes the exact rounding division to the black-box tests.
var RoundQuo = roundQuo
