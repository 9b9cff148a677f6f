//go:build !unix

package source

// running reports true where processes cannot be checked: nothing is swept.
func running(int) bool { return true }
