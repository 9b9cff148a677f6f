package report

// SetMaxTableRows sets the most data rows a sheet takes until the test ends.
func SetMaxTableRows(t interface{ Cleanup(func()) }, n int) {
	old := maxTableRows
	maxTableRows = n
	t.Cleanup(func() { maxTableRows = old })
}
